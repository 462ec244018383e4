"""The registry through which apps plug a user's data into export and deletion.

``accounts`` owns the account but not the data other apps keep about her. Each
app registers, in its ``AppConfig.ready()``, a section: how to export what it
holds for a user, the serializer that documents that section's shape in the
OpenAPI schema (``schema``), and (optionally) what must happen beyond the
database cascade when she is deleted — stored model files, for instance.
``accounts`` never imports those apps.
"""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import models
from django.db.models import F
from django.db.models.signals import post_delete, post_save

from core.renderers import JSONRenderer, RenderedJSON

Exporter = Callable[[Any], Any]
# Called inside the deletion transaction, before the rows go; returns a
# callback to run once the deletion has committed (or None).
DeletionHook = Callable[[Any], Callable[[], None] | None]


@dataclass(frozen=True)
class UserDataSection:
    key: str
    export: Exporter
    model: Any = None  # the model whose rows this section holds
    schema: Any = None  # a serializer (instance) describing what ``export`` returns
    before_delete: DeletionHook | None = None


_sections: dict[str, UserDataSection] = {}


def register_user_data(
    key: str,
    *,
    export: Exporter,
    model: Any = None,
    schema: Any = None,
    before_delete: DeletionHook | None = None,
):
    _sections[key] = UserDataSection(
        key=key, export=export, model=model, schema=schema, before_delete=before_delete
    )


def user_data_sections() -> list[UserDataSection]:
    return list(_sections.values())


# --- The change channel --------------------------------------------------------------
# Every write to her data, whatever its path (the API, the admin, a shell, an
# import, a bulk write), ends in ``user_data_changed``: her data version counts
# up (her cached answers expire) and every listener is told (her model's
# retraining is queued, debounced, after the commit). Saves and deletes reach it
# by signal, bulk writes through ``OwnedQuerySet``, so no path can forget it.
# Apps that derive something from her data listen without the owners knowing.

ChangeListener = Callable[[Any], None]
_listeners: list[ChangeListener] = []
# Set inside ``listeners_muted``.
_muted: ContextVar[bool] = ContextVar("planher_listeners_muted", default=False)
# The owners changed inside the current ``changes_announced_once`` block.
_pending: ContextVar[dict | None] = ContextVar("planher_pending_changes", default=None)


def register_change_listener(listener: ChangeListener) -> None:
    if listener not in _listeners:
        _listeners.append(listener)


def user_data_changed(user_or_id) -> None:
    """Her data changed: announce it now, or once at the end of the enclosing
    ``changes_announced_once`` block. Call inside the write's transaction;
    listeners defer their work to after the commit."""
    pending = _pending.get()
    user_id = getattr(user_or_id, "pk", user_or_id)
    if pending is None:
        _announce(user_or_id)
    elif pending.get(user_id) is None:
        pending[user_id] = user_or_id if user_or_id is not user_id else None


@contextmanager
def changes_announced_once():
    """Announce each owner changed inside the block once, when it succeeds:
    a write of many rows (a bulk delete, an import) costs one announcement per
    user, not one per row. Nested blocks join the outer one."""
    if _pending.get() is not None:
        yield
        return
    pending: dict = {}
    token = _pending.set(pending)
    try:
        yield
    finally:
        _pending.reset(token)
    for user_id in sorted(pending):  # a fixed order, as her row locks are taken
        _announce(pending[user_id] or user_id)


@contextmanager
def listeners_muted():
    """Write her data as a state, not as news: cached answers still expire,
    listeners are not told (no retraining queued). For test factories and
    generated histories that then train her on purpose; never for her writes."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def _announce(user_or_id) -> None:
    User = get_user_model()
    user_id = getattr(user_or_id, "pk", user_or_id)
    user_answers_expire(user_id)
    if not _listeners or _muted.get():
        return
    user = user_or_id if isinstance(user_or_id, User) else User.objects.filter(pk=user_id).first()
    if user is not None:
        for listener in _listeners:
            listener(user)


class OwnedQuerySet(models.QuerySet):
    """The rows of her data: ``for_user``, and bulk writes that announce the
    change like a save does (``bulk_create`` and ``update`` send no signal).
    ``delete`` sends one per row; it is announced once per owner."""

    def for_user(self, user):
        return self.filter(user=user)

    def bulk_create(self, objs, *args, **kwargs):
        with changes_announced_once():
            created = super().bulk_create(objs, *args, **kwargs)
            for obj in created:
                user_data_changed(obj.user_id)
        return created

    def update(self, **kwargs):
        with changes_announced_once():
            owners = set(self.order_by().values_list("user_id", flat=True).distinct())
            count = super().update(**kwargs)
            if "user" in kwargs or "user_id" in kwargs:  # rows given to someone else
                owners.add(getattr(kwargs.get("user"), "pk", kwargs.get("user_id")))
            for user_id in owners:
                user_data_changed(user_id)
        return count

    def delete(self):
        with changes_announced_once():
            return super().delete()

    delete.queryset_only = True


# --- Cached answers ----------------------------------------------------------------------
# Answers derived from her data (current cycle, forecast) are cached under a key
# that carries ``User.data_version``: counting it up drops every such answer on
# every worker at once, with no cache deletes to get wrong.


def user_answers_expire(user_or_id) -> None:
    """Drop every cached answer derived from her data (no listener is told)."""
    user_id = getattr(user_or_id, "pk", user_or_id)
    get_user_model().objects.filter(pk=user_id).update(data_version=F("data_version") + 1)


def _announce_owner_change(sender, instance, raw=False, origin=None, **kwargs):
    if raw or isinstance(origin, get_user_model()):  # fixtures; her own deletion
        return
    # Her cached user object when the write has one (no query to fetch it).
    owner = instance.user if sender.user.is_cached(instance) else instance.user_id
    user_data_changed(owner)


_user_data_models: list = []


def user_data_models() -> list:
    """The models whose rows are her data (registered with ``announce_changes_of``)."""
    return list(_user_data_models)


def announce_changes_of(model) -> None:
    """Announce her data changed whenever a row of ``model`` (with a ``user``) is
    saved or deleted, whoever writes it: the API, the admin, a shell.

    A signal, against the usual rule here, because the change channel must not
    depend on every write path remembering it; bulk writes go through
    ``OwnedQuerySet``.
    """
    if model not in _user_data_models:
        _user_data_models.append(model)
    post_save.connect(_announce_owner_change, sender=model, dispatch_uid=f"changed:{model._meta}")
    post_delete.connect(
        _announce_owner_change, sender=model, dispatch_uid=f"changed-d:{model._meta}"
    )


def answer_cache_key(name: str, user, *parts) -> str:
    """A cache key for an answer derived from her data, valid until it changes."""
    return ":".join(["answer", name, str(user.pk), str(user.data_version), *map(str, parts)])


# A safety net only: an answer's key names her data version and her day.
ANSWER_CACHE_SECONDS = 300


class LocalAnswers:
    """The answers this process served lately, in front of the shared cache.

    With Redis, every cached answer costs a round trip: about a tenth of a
    cached ``/current``'s CPU in the worker, and Redis's own (README, "Serving
    speed"). Each process keeps the bytes it served under the same key. The key
    names her data version, read from her row on this very request, so a copy
    found here is never served past a change to her data: any change makes a
    new key on every worker at once. Copies live ``seconds`` at most (beyond
    Redis's own copy, if Redis lost it meanwhile: the same answer, for data that
    has not changed) and take at most ``max_bytes`` in all, each counted with
    its key and ``ENTRY_BYTES`` of bookkeeping (least recently used first out;
    expired ones are swept as new ones come). Off (0 bytes) when the cache is
    this process's own memory anyway.
    """

    ENTRY_BYTES = 200  # the key's string, the tuple and the dictionary's slot, roughly

    def __init__(self, max_bytes: int, seconds: float):
        self.max_bytes = max_bytes
        self.seconds = seconds
        self.size = 0
        self._entries = OrderedDict()  # key -> (expires at, body)
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        entry = self._entries.get(key)
        if entry is None:
            return None
        expires, body = entry
        with self._lock:
            if expires <= time.monotonic():
                self._drop(key)
                return None
            if key in self._entries:
                self._entries.move_to_end(key)
        return body

    def put(self, key: str, body: bytes) -> None:
        if self._cost(key, body) > self.max_bytes:
            return
        now = time.monotonic()
        with self._lock:
            self._drop(key)
            self._entries[key] = (now + self.seconds, body)
            self.size += self._cost(key, body)
            while self._entries:  # from the least recently used: expired or too many
                oldest = next(iter(self._entries))
                if self.size <= self.max_bytes and self._entries[oldest][0] > now:
                    break
                self._drop(oldest)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0

    def _cost(self, key: str, body: bytes) -> int:
        return len(key) + len(body) + self.ENTRY_BYTES

    def _drop(self, key: str) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.size -= self._cost(key, entry[1])


local_answers = LocalAnswers(
    max_bytes=settings.ANSWER_LOCAL_CACHE_BYTES, seconds=settings.ANSWER_LOCAL_CACHE_SECONDS
)


def cached_answer(key: str, make) -> RenderedJSON:
    """Her cached answer under ``key`` (``answer_cache_key``), or ``make()``'s, stored.
    Kept as the JSON bytes written the first time: a cached answer is served with no
    unpickling of a body and no rendering again. This process's copy first
    (``LocalAnswers``), then the shared cache. Not ``cache.get_or_set``: its miss
    costs a third round trip (ADD, then GET again), which a key that names her
    data's version does not need."""
    body = local_answers.get(key) if local_answers.max_bytes else None
    if body is None:
        body = cache.get(key)
        if body is None:
            body = JSONRenderer().render(make())
            cache.set(key, body, ANSWER_CACHE_SECONDS)
        if local_answers.max_bytes:
            local_answers.put(key, body)
    return RenderedJSON(body)


# --- Staff looking at her data ---------------------------------------------------------
# The admin pages of her health data tell whoever keeps her activity log (accounts),
# without core knowing who that is.

StaffViewListener = Callable[[Any, Any], None]
_staff_view_listeners: list[StaffViewListener] = []


def register_staff_view_listener(listener: StaffViewListener) -> None:
    if listener not in _staff_view_listeners:
        _staff_view_listeners.append(listener)


def staff_viewed_her_data(user, request) -> None:
    """Staff opened a page of her data (``request`` is the admin's)."""
    for listener in _staff_view_listeners:
        listener(user, request)
