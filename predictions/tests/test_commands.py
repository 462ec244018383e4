"""manage.py seed and manage.py retrain_models, called as an operator would."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.timezone import now

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


def test_seed_keeps_demo_users_who_exist_with_their_data_and_password():
    run("seed", "--users", "1", "--days", "45", "--seed", "7")
    demo = get_user_model().objects.get(email=demo_email(1))
    logged_today = DailyMoodFactory(user=demo, date=now().date(), energy_level=2)
    demo.set_password("her-own-passphrase")
    demo.save()
    before = sorted(DailyMood.objects.values_list("date", "energy_level"))

    output = run("seed", "--users", "1", "--days", "45", "--seed", "7")

    assert sorted(DailyMood.objects.values_list("date", "energy_level")) == before
    assert DailyMood.objects.filter(pk=logged_today.pk).exists()
    demo.refresh_from_db()
    assert demo.check_password("her-own-passphrase")
    assert f"{demo_email(1)}: exists, kept as she is" in output
    assert "her password is no longer" in output
    assert "Seeded 0 demo user(s), kept 1 as they were." in output


def test_seed_adds_the_missing_demo_users_only():
    run("seed", "--users", "1", "--days", "45", "--seed", "7")
    first = sorted(DailyMood.objects.filter(user__email=demo_email(1)).values_list("pk"))
    output = run("seed", "--users", "2", "--days", "45", "--seed", "7")
    assert sorted(DailyMood.objects.filter(user__email=demo_email(1)).values_list("pk")) == first
    assert DailyMood.objects.filter(user__email=demo_email(2)).exists()
    assert "Seeded 1 demo user(s), kept 1 as they were." in output


def test_seed_reset_recreates_demo_users_and_says_so():
    run("seed", "--users", "1", "--days", "45", "--seed", "7")
    first = sorted(DailyMood.objects.values_list("date", "energy_level"))
    demo = get_user_model().objects.get(email=demo_email(1))
    DailyMoodFactory(user=demo, date=now().date(), energy_level=2)
    demo.set_password("her-own-passphrase")
    demo.save()

    output = run("seed", "--users", "1", "--days", "45", "--seed", "7", "--reset")

    assert sorted(DailyMood.objects.values_list("date", "energy_level")) == first
    demo.refresh_from_db()
    assert demo.check_password(DEMO_PASSWORD)
    assert "--reset deletes her periods, moods and predictions" in output


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


def test_retrain_models_leaves_a_user_being_trained_elsewhere_and_says_so():
    run("seed", "--users", "1", "--days", "45", "--seed", "3")
    version = EnergyModel.objects.get().version
    EnergyModel.objects.update(training_started_at=now())  # a worker trains her now

    output = run("retrain_models", "--all", "--force")

    assert "trained 0, skipped 1 (1 being trained elsewhere), failed 0" in output
    assert EnergyModel.objects.get().version == version


def test_seeded_demo_users_are_marked_and_each_lives_her_cycle_her_own_way(client_for):
    """GIVEN a fresh database WHEN `seed` runs (as `make run` does) THEN the demo users
    are marked as such; the first is served by her model, whose history holds what
    was served on each replayed day, scored by what she logged after; the first two
    chart signs; the third's energy ignores her cycle."""
    from datetime import timedelta
    from zoneinfo import ZoneInfo

    from predictions.models import PredictionRecord
    from signs.models import Sign

    output = run("seed", "--users", "3", "--days", "150", "--seed", "2026")
    demos = list(get_user_model().objects.filter(is_demo=True).order_by("email"))
    assert [demo.email for demo in demos] == [demo_email(n) for n in (1, 2, 3)]
    assert "phases alone cannot express" in output and "60 days served and recorded" in output
    first = demos[0]
    api = client_for(first)
    current = api.get("/api/v1/predictions/current").json()
    assert current["energy"]["source"] == "model"
    forecast = api.get("/api/v1/predictions/forecast", {"days": 28}).json()["days"]
    assert len({day["energy"]["level"] for day in forecast}) >= 2  # a varied forecast
    history = api.get("/api/v1/predictions/history").json()
    assert history["count"] == 61  # 60 replayed days and today
    assert history["summary"]["evaluated"] >= 45
    assert history["summary"]["accuracy"] > 0.5
    today = first.local_today()
    for record in PredictionRecord.objects.filter(user=first):
        # Served on its own day, before she logged it, never written afterwards.
        assert record.created_at.astimezone(ZoneInfo(first.timezone)).date() == record.date
        assert today - timedelta(days=60) <= record.date <= today
    assert {r.source for r in PredictionRecord.objects.filter(user=first)} == {"model"}
    signs = [Sign.objects.filter(user=demo).count() for demo in demos]
    assert signs[0] > 100 and signs[1] > 100 and signs[2] == 0
    assert EnergyModel.objects.get(user=demos[2]).serves_model is False
    # Newcomers and staff are not demo users.
    assert not UserFactory().is_demo
