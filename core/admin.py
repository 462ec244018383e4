"""What every admin page that writes a user's own rows shares."""

from contextlib import ExitStack

from django.contrib import admin
from django.contrib.auth import get_user_model

from .userdata import staff_viewed_her_data
from .views import user_write_lock


class UserDataAdmin(admin.ModelAdmin):
    """Staff edits of her periods, moods or profile go through the API's channel:
    ``user_write_lock``, which announces the change (her model's retraining is
    queued; her cached answers expire by themselves). The system check
    ``planher.E002`` refuses an admin of her data that is not one of these.

    Her rows stay hers: the owner is fixed once the row exists.
    """

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Staff reading her health data is in her activity log.
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            obj = self.get_object(request, object_id)
            if obj is not None:
                staff_viewed_her_data(obj.user, request)
        return response

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return [*fields, "user"] if obj is not None else fields

    def save_model(self, request, obj, form, change):
        with user_write_lock(obj.user):
            super().save_model(request, obj, form, change)

    def delete_model(self, request, obj):
        with user_write_lock(obj.user):
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # The bulk "delete selected" action: every owner among the rows, in a
        # fixed order (by id) so two such deletions cannot deadlock.
        owners = get_user_model().objects.filter(pk__in=queryset.values("user_id")).order_by("pk")
        with ExitStack() as locks:
            for owner in owners:
                locks.enter_context(user_write_lock(owner))
            super().delete_queryset(request, queryset)
