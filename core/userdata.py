"""The registry through which apps plug a user's data into export and deletion.

``accounts`` owns the account but not the data other apps keep about her. Each
app registers, in its ``AppConfig.ready()``, a section: how to export what it
holds for a user, the serializer that documents that section's shape in the
OpenAPI schema (``schema``), and (optionally) what must happen beyond the
database cascade when she is deleted — stored model files, for instance.
``accounts`` never imports those apps.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import F
from django.db.models.signals import post_delete, post_save

Exporter = Callable[[Any], Any]
# Called inside the deletion transaction, before the rows go; returns a
# callback to run once the deletion has committed (or None).
DeletionHook = Callable[[Any], Callable[[], None] | None]


@dataclass(frozen=True)
class UserDataSection:
    key: str
    export: Exporter
    schema: Any = None  # a serializer (instance) describing what ``export`` returns
    before_delete: DeletionHook | None = None


_sections: dict[str, UserDataSection] = {}


def register_user_data(
    key: str,
    *,
    export: Exporter,
    schema: Any = None,
    before_delete: DeletionHook | None = None,
):
    _sections[key] = UserDataSection(
        key=key, export=export, schema=schema, before_delete=before_delete
    )


def user_data_sections() -> list[UserDataSection]:
    return list(_sections.values())


# --- Change listeners ----------------------------------------------------------------
# Apps that derive something from a user's data (her trained model) listen for
# changes; the apps that own the data announce them, without knowing who listens.

ChangeListener = Callable[[Any], None]
_listeners: list[ChangeListener] = []


def register_change_listener(listener: ChangeListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def user_data_changed(user) -> None:
    """Record that her data changed and tell every listener (call inside the
    write's transaction; listeners defer their work to after the commit).

    Cached answers expire by themselves (``expire_answers_on_change``).
    """
    for listener in _listeners:
        listener(user)


# --- Cached answers ----------------------------------------------------------------------
# Answers derived from her data (current cycle, forecast) are cached under a key
# that carries ``User.data_version``: counting it up drops every such answer on
# every worker at once, with no cache deletes to get wrong.


def user_answers_expire(user_or_id) -> None:
    """Drop every cached answer derived from her data (no listener is told)."""
    from django.contrib.auth import get_user_model

    user_id = getattr(user_or_id, "pk", user_or_id)
    get_user_model().objects.filter(pk=user_id).update(data_version=F("data_version") + 1)


def _expire_owner_answers(sender, instance, raw=False, origin=None, **kwargs):
    from django.contrib.auth import get_user_model

    if raw or isinstance(origin, get_user_model()):  # fixtures; her own deletion
        return
    user_answers_expire(instance.user_id)


_user_data_models: list = []


def user_data_models() -> list:
    """The models whose rows are her data (registered with ``expire_answers_on_change``)."""
    return list(_user_data_models)


def expire_answers_on_change(model) -> None:
    """Expire her cached answers whenever a row of ``model`` (with a ``user``) is
    saved or deleted, whoever writes it: the API, the admin, a shell.

    A signal, against the usual rule here, because cache invalidation must not
    depend on every write path remembering it; it does nothing else.
    """
    if model not in _user_data_models:
        _user_data_models.append(model)
    post_save.connect(_expire_owner_answers, sender=model, dispatch_uid=f"expire:{model._meta}")
    post_delete.connect(_expire_owner_answers, sender=model, dispatch_uid=f"expire-d:{model._meta}")


def answer_cache_key(name: str, user, *parts) -> str:
    """A cache key for an answer derived from her data, valid until it changes."""
    return ":".join(["answer", name, str(user.pk), str(user.data_version), *map(str, parts)])
