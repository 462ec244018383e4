from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from .models import ActivityEvent, User
from .tokens import chain_of_stored


class UserChangeFormByEmail(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = "__all__"


class UserCreationFormByEmail(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("email",)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """Users log in with their email; there is no username."""

    form = UserChangeFormByEmail
    add_form = UserCreationFormByEmail
    list_display = ["email", "name", "timezone", "is_staff", "is_active", "is_demo", "date_joined"]
    list_filter = ["is_demo", "is_staff", "is_superuser", "is_active"]
    search_fields = ["email", "name"]
    ordering = ["email"]
    readonly_fields = ["date_joined", "last_login"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal info", {"fields": ["name", "timezone", "is_demo"]}),
        (
            "Permissions",
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]}),
    ]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records kept as they happened: staff read them, nobody edits them here."""

    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ActivityEvent)
class ActivityEventAdmin(ReadOnlyAdmin):
    """Her activity log, for support: read-only, as it happened."""

    list_display = ["at", "event", "user", "ip", "user_agent", "detail"]
    list_filter = ["event"]
    search_fields = ["user__email"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    date_hierarchy = "at"


# simplejwt's own admin shows the stored token; these show what support needs
# (whose, which session, when) and nothing that could be replayed. Read-only:
# a session is ended through the API (logout, password change), not here.
admin.site.unregister(OutstandingToken)
admin.site.unregister(BlacklistedToken)


@admin.register(OutstandingToken)
class RefreshTokenAdmin(ReadOnlyAdmin):
    list_display = ["jti", "user", "chain", "created_at", "expires_at", "revoked"]
    fields = list_display
    readonly_fields = list_display
    search_fields = ["jti", "user__email"]
    list_select_related = ["user", "blacklistedtoken"]
    ordering = ["-created_at"]

    @admin.display(description="session (chain)")
    def chain(self, token):
        return chain_of_stored(token.token) or "-"

    @admin.display(boolean=True)
    def revoked(self, token):
        return hasattr(token, "blacklistedtoken")


@admin.register(BlacklistedToken)
class RevokedRefreshTokenAdmin(ReadOnlyAdmin):
    list_display = ["jti", "user", "chain", "blacklisted_at", "expires_at"]
    fields = list_display
    readonly_fields = list_display
    search_fields = ["token__jti", "token__user__email"]
    list_select_related = ["token__user"]
    ordering = ["-blacklisted_at"]

    @admin.display(ordering="token__jti")
    def jti(self, revoked):
        return revoked.token.jti

    @admin.display(ordering="token__user")
    def user(self, revoked):
        return revoked.token.user

    @admin.display(description="session (chain)")
    def chain(self, revoked):
        return chain_of_stored(revoked.token.token) or "-"

    @admin.display(ordering="token__expires_at")
    def expires_at(self, revoked):
        return revoked.token.expires_at
