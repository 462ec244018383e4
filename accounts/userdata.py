"""The registry through which apps plug a user's data into export and deletion.

``accounts`` owns the account but not the data other apps keep about her. Each
app registers, in its ``AppConfig.ready()``, a section: how to export what it
holds for a user, and (optionally) what must happen beyond the database
cascade when she is deleted — stored model files, for instance. ``accounts``
never imports those apps.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Exporter = Callable[[Any], Any]
# Called inside the deletion transaction, before the rows go; returns a
# callback to run once the deletion has committed (or None).
DeletionHook = Callable[[Any], Callable[[], None] | None]


@dataclass(frozen=True)
class UserDataSection:
    key: str
    export: Exporter
    before_delete: DeletionHook | None = None


_sections: dict[str, UserDataSection] = {}


def register_user_data(key: str, *, export: Exporter, before_delete: DeletionHook | None = None):
    _sections[key] = UserDataSection(key=key, export=export, before_delete=before_delete)


def user_data_sections() -> list[UserDataSection]:
    return list(_sections.values())
