"""System checks of the accounts app."""

from django.contrib.auth import get_user_model
from django.core.checks import Error, register
from rest_framework_simplejwt import settings as jwt


@register()
def jwt_settings_authentication_honours(app_configs, **kwargs):
    """``SessionJWTAuthentication`` reads her row by primary key and ends sessions
    by ``token_version`` (``accounts/authentication.py``): two simplejwt settings
    it does not read must keep the values it assumes, or they would be ignored."""
    errors = []
    api_settings = jwt.api_settings  # read now: simplejwt replaces it when SIMPLE_JWT changes
    pk = get_user_model()._meta.pk.name
    if api_settings.USER_ID_FIELD not in (pk, "pk"):
        errors.append(
            Error(
                f"SIMPLE_JWT['USER_ID_FIELD'] is {api_settings.USER_ID_FIELD!r}, but "
                f"authentication reads the user by primary key ({pk!r}).",
                hint="Keep USER_ID_FIELD at the primary key, or change "
                "accounts.authentication.SessionJWTAuthentication.get_user.",
                id="accounts.E001",
            )
        )
    if api_settings.CHECK_REVOKE_TOKEN:
        errors.append(
            Error(
                "SIMPLE_JWT['CHECK_REVOKE_TOKEN'] is on, but authentication does not read "
                "it: a password change already refuses every older token (token_version).",
                hint="Turn it off; accounts.tokens explains how sessions end.",
                id="accounts.E002",
            )
        )
    return errors
