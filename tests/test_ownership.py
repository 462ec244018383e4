"""What a user owns is declared once per model, and nothing she owns is missed.

Every model of ours with a foreign key to the user must be a section of her
export (``register_user_data(..., model=...)``), go with her account (the
database cascade), and be named by an owner/stranger test
(``@pytest.mark.ownership(Model)`` in the ``tests/test_ownership.py`` of its app
module). A new model that forgets one fails here, not in production.
"""

import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models

from core.userdata import user_data_models, user_data_sections

ROOT = Path(__file__).resolve().parents[1]
User = get_user_model()
OWNERSHIP_MODULES = ["*/tests/test_ownership.py"]


def owned_models() -> list:
    """Our models (not Django's nor simplejwt's) with a foreign key to the user."""
    return [
        model
        for model in apps.get_models()
        if (ROOT / model._meta.app_config.name.split(".")[0]).is_dir()
        and any(
            field.is_relation and not field.auto_created and field.related_model is User
            for field in model._meta.get_fields()
        )
    ]


def models_named_by_ownership_tests() -> set:
    named = set()
    for pattern in OWNERSHIP_MODULES:
        for path in ROOT.glob(pattern):
            module = importlib.import_module(".".join(path.relative_to(ROOT).with_suffix("").parts))
            marks = getattr(module, "pytestmark", [])
            for mark in marks if isinstance(marks, list) else [marks]:
                if mark.name == "ownership":
                    named.update(mark.args)
    return named


def test_the_walk_finds_her_data():
    # The control: the walk sees the models we know she owns.
    assert {m._meta.label for m in owned_models()} >= {"moods.DailyMood", "cycles.Period"}


@pytest.mark.parametrize("model", owned_models(), ids=lambda m: m._meta.label)
def test_every_model_she_owns_is_exported_deleted_with_her_and_tested_against_a_stranger(
    model,
):
    exported = {section.model for section in user_data_sections()}
    assert model in exported, f"{model._meta.label}: register_user_data(..., model=...)"
    user_fields = [f for f in model._meta.concrete_fields if f.related_model is User]
    assert all(f.remote_field.on_delete is models.CASCADE for f in user_fields), (
        f"{model._meta.label}: her rows must go with her account"
    )
    assert model in models_named_by_ownership_tests(), (
        f"{model._meta.label}: no @pytest.mark.ownership test names it"
    )


def test_her_logs_announce_every_change():
    # Her logs (what she writes) feed the change channel; derived rows do not.
    assert {m._meta.label for m in user_data_models()} == {
        "cycles.Profile",
        "cycles.Period",
        "moods.DailyMood",
        "signs.Sign",
    }
