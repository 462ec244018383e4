"""Re-encrypt every encrypted value with the first key of FIELD_ENCRYPTION_KEYS.

After a rotation (a new key put first, the old ones kept after it), this moves
every value still under an old key to the new one; then the old keys can be
dropped. Values already under the first key are left alone, so a run cut short
is simply run again. It changes no ``updated_at`` and announces no change: her
entries say the same thing.
"""

from cryptography.fernet import InvalidToken
from django.apps import apps
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.db.models import ExpressionWrapper, F, TextField

from core import fields


def encrypted_fields():
    """(model, field) of every EncryptedTextField of the installed models."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, fields.EncryptedTextField):
                yield model, field


class Command(BaseCommand):
    help = "Re-encrypt every encrypted value with the first key of FIELD_ENCRYPTION_KEYS."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=500)

    def handle(self, *args, batch_size, **options):
        seen = moved = unreadable = 0
        for model, field in encrypted_fields():
            # The raw token, not the field's decrypted value.
            raw = ExpressionWrapper(F(field.attname), output_field=TextField())
            rows = model._base_manager.exclude(**{f"{field.attname}__isnull": True})
            last_pk = None
            while True:
                page = rows.order_by("pk")
                if last_pk is not None:
                    page = page.filter(pk__gt=last_pk)
                batch = list(page.annotate(token=raw).values_list("pk", "token")[:batch_size])
                if not batch:
                    break
                last_pk = batch[-1][0]
                with transaction.atomic():
                    for pk, token in batch:
                        seen += 1
                        if not fields.needs_rotation(token):
                            continue
                        try:
                            text = fields.decrypt(token)
                        except InvalidToken:
                            unreadable += 1
                            continue
                        # update(): no save(), so no updated_at and no signal.
                        model._base_manager.filter(pk=pk).update(**{field.attname: text})
                        moved += 1
        summary = (
            f"{seen} encrypted values: {moved} re-encrypted with the first key, "
            f"{seen - moved - unreadable} already under it, {unreadable} unreadable."
        )
        if unreadable:
            raise CommandError(
                summary + " Unreadable values need the key that wrote them in "
                "FIELD_ENCRYPTION_KEYS; drop no old key while any is left."
            )
        self.stdout.write(summary)
