"""manage.py seed and manage.py retrain_models, called as an operator would."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from accounts.tests.factories import UserFactory
from moods.models import DailyMood
from moods.tests.factories import DailyMoodFactory
from predictions import ml
from predictions.management.commands.seed import DEMO_PASSWORD, demo_email
from predictions.models import EnergyModel

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_seed_makes_demo_users_with_trained_models_and_prints_a_login():
    output = run("seed", "--users", "2", "--days", "60", "--seed", "7")
    users = get_user_model().objects.filter(email__endswith="@planher.test")
    assert users.count() == 2
    assert f"{demo_email(1)} / {DEMO_PASSWORD}" in output
    assert users.get(email=demo_email(1)).check_password(DEMO_PASSWORD)
    assert EnergyModel.objects.filter(user__in=users).exclude(file="").count() == 2


def test_seed_is_idempotent():
    run("seed", "--users", "1", "--days", "45", "--seed", "7")
    first = sorted(DailyMood.objects.values_list("date", "energy_level"))
    run("seed", "--users", "1", "--days", "45", "--seed", "7")
    assert sorted(DailyMood.objects.values_list("date", "energy_level")) == first
    assert get_user_model().objects.count() == 1


def test_retrain_models_trains_stale_users_then_skips_them():
    run("seed", "--users", "1", "--days", "45", "--seed", "3")
    EnergyModel.objects.update(data_fingerprint="")  # as after a failed load
    assert "trained 1, skipped 0, failed 0" in run("retrain_models")
    assert "trained 0, skipped 0, failed 0" in run("retrain_models")  # nothing stale
    assert "trained 0, skipped 1 (1 unchanged since their last training), failed 0" in run(
        "retrain_models", "--all"
    )
    assert "trained 1, skipped 0, failed 0" in run("retrain_models", "--all", "--force")


def test_retrain_models_says_why_each_user_was_skipped():
    run("seed", "--users", "2", "--days", "45", "--seed", "3")
    newcomer = UserFactory(email="new@example.com")
    DailyMoodFactory(user=newcomer)
    output = run("retrain_models", "--all")
    assert (
        "trained 0, skipped 3 (2 unchanged since their last training, 1 with too few logs), "
        "failed 0"
    ) in output


def test_retrain_models_with_too_few_logs_says_so():
    newcomer = UserFactory(email="new@example.com")
    DailyMoodFactory(user=newcomer)
    output = run("retrain_models", "--user", newcomer.email)
    assert "trained 0, skipped 1 (1 with too few logs), failed 0" in output


class Terminal(StringIO):
    def isatty(self):
        return True


def test_retrain_models_draws_a_plain_progress_bar_on_a_terminals_stdout():
    run("seed", "--users", "2", "--days", "45", "--seed", "3")
    out, err = Terminal(), Terminal()
    call_command("retrain_models", "--all", force_color=True, stdout=out, stderr=err)
    bar = out.getvalue().split("\r")[-1].splitlines()[0]
    assert bar == f"[{'#' * 30}] 2/2"  # no colour codes
    assert "\r[" + "#" * 15 + "-" * 15 + "] 1/2" in out.getvalue()
    assert err.getvalue() == ""  # stderr is for errors only


def test_retrain_models_draws_no_progress_bar_into_a_pipe_or_a_log():
    run("seed", "--users", "1", "--days", "45", "--seed", "3")
    out = StringIO()
    call_command("retrain_models", "--all", stdout=out, stderr=StringIO())
    assert "#" not in out.getvalue()
    assert out.getvalue().startswith("trained 0, skipped 1")


def test_retrain_models_for_one_user_by_email(user):
    run("seed", "--users", "1", "--days", "45", "--seed", "3")
    output = run("retrain_models", "--user", demo_email(1).upper(), "--force")
    assert "trained 1" in output


def test_retrain_models_refuses_an_unknown_email():
    with pytest.raises(CommandError, match="No user"):
        run("retrain_models", "--user", "nobody@planher.test")


def test_retrain_models_exits_non_zero_when_a_training_fails(monkeypatch):
    run("seed", "--users", "1", "--days", "45", "--seed", "3")

    def broken_train(samples, **kwargs):
        raise RuntimeError("out of memory")

    monkeypatch.setattr(ml, "train", broken_train)
    with pytest.raises(CommandError, match="failed 1"):
        run("retrain_models", "--all", "--force")
    row = EnergyModel.objects.get()
    assert "out of memory" in row.last_error
    assert row.last_error_at is not None
