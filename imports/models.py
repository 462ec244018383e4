from django.conf import settings
from django.db import models

from .parsers import FORMATS

MAX_ERRORS_KEPT = 100


class ImportQuerySet(models.QuerySet):
    """Her imports (a plain queryset: writing an import's row is not a change
    of her data, so it announces nothing; the rows it creates do)."""

    def for_user(self, user):
        return self.filter(user=user)


def no_counts() -> dict:
    return {"periods": 0, "moods": 0, "signs": 0}


class Import(models.Model):
    """One file she sent to bring her history in, and what became of it.

    Not her data itself (the periods, moods and signs it created are): a record
    of the import, in her export, gone with her account.
    """

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="imports"
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    requested_format = models.CharField(
        max_length=16, blank=True, choices=[(f, f) for f in FORMATS], help_text="As she sent it."
    )
    format = models.CharField(
        max_length=16, blank=True, choices=[(f, f) for f in FORMATS], help_text="As read."
    )
    filename = models.CharField(max_length=255, blank=True)
    size_bytes = models.BigIntegerField(default=0)
    created = models.JSONField(default=no_counts)
    skipped = models.JSONField(default=no_counts)
    errors = models.JSONField(default=list, help_text=f"The first {MAX_ERRORS_KEPT} problems.")
    error_count = models.PositiveIntegerField(default=0)
    # Where the upload waits for its task (under MEDIA_ROOT, never served);
    # emptied, and the file deleted, when the import ends.
    upload = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = ImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self):
        return f"Import {self.pk} of {self.user}: {self.status}"
