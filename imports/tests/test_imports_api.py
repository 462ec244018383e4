"""POST /imports/ and GET /imports/{id}: each format lands as her periods and
signs, twice without duplicates; her own entries survive; a bad file fails
whole and writes nothing; a PlanHer export round-trips."""

import io
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from cycles.models import Period
from cycles.tests.factories import PeriodFactory
from imports import services
from imports.models import Import
from moods.models import DailyMood
from predictions import ml
from predictions.models import EnergyModel
from signs.models import Sign
from signs.tests.factories import SignFactory

pytestmark = pytest.mark.django_db

IMPORTS = "/api/v1/imports/"
FIXTURES = Path(__file__).parent / "fixtures"
TODAY = "2026-11-28 12:00:00+00:00"


def upload(api, data: bytes, name: str, fmt: str | None = None):
    body = {"file": SimpleUploadedFile(name, data)}
    if fmt:
        body["format"] = fmt
    return api.post(IMPORTS, body, format="multipart")


def run(api, data: bytes, name: str, capture, background_jobs, fmt=None) -> dict:
    """Upload, let the background job run, and answer what GET says."""
    with capture(execute=True):
        response = upload(api, data, name, fmt)
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    with capture(execute=True):
        background_jobs.drain()
    answer = api.get(f"{IMPORTS}{response.json()['id']}")
    assert answer.status_code == 200
    return answer.json()


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def periods(user) -> list[tuple[str, str | None]]:
    return [
        (s.isoformat(), e.isoformat() if e else None)
        for s, e in Period.objects.for_user(user)
        .order_by("start_date")
        .values_list("start_date", "end_date")
    ]


def apple_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("apple_health_export/export.xml", fixture("apple_export.xml"))
    return buffer.getvalue()


CASES = {
    "drip.csv": ("drip", [("2024-01-01", "2024-01-04"), ("2024-01-29", "2024-01-31")], 6),
    "clue_measurements.json": (
        "clue",
        [("2024-03-01", "2024-03-05"), ("2024-03-29", "2024-03-30")],
        2,
    ),
    "flo.json": (
        "flo",
        [("2022-12-13", "2022-12-17"), ("2023-01-11", "2023-01-15"), ("2023-02-08", "2023-02-11")],
        0,
    ),
    "apple_export.xml": (
        "apple_health",
        [("2024-04-02", "2024-04-04"), ("2024-04-30", "2024-05-01")],
        3,
    ),
    "export.zip": ("apple_health", [("2024-04-02", "2024-04-04"), ("2024-04-30", "2024-05-01")], 3),
    "ovumcy.json": ("ovumcy", [("2024-05-01", "2024-05-03"), ("2024-05-29", "2024-05-30")], 5),
    "ovumcy.csv": ("ovumcy", [("2024-05-01", "2024-05-03"), ("2024-05-29", "2024-05-30")], 5),
}


@pytest.mark.parametrize("name", list(CASES))
def test_each_format_imports_her_periods_and_signs_and_twice_creates_nothing(
    name, api, user, django_capture_on_commit_callbacks, background_jobs
):
    fmt, expected_periods, sign_count = CASES[name]
    data = apple_zip() if name == "export.zip" else fixture(name)

    first = run(api, data, name, django_capture_on_commit_callbacks, background_jobs)

    assert first["status"] == "done", first
    assert first["format"] == fmt
    assert first["created"] == {"periods": len(expected_periods), "moods": 0, "signs": sign_count}
    assert first["skipped"] == {"periods": 0, "moods": 0, "signs": 0}
    assert first["errors"] == []
    assert first["finished_at"]
    assert periods(user) == expected_periods
    assert Sign.objects.for_user(user).count() == sign_count

    again = run(api, data, name, django_capture_on_commit_callbacks, background_jobs)

    assert again["status"] == "done"
    assert again["created"] == {"periods": 0, "moods": 0, "signs": 0}
    assert again["skipped"] == {"periods": len(expected_periods), "moods": 0, "signs": sign_count}
    assert periods(user) == expected_periods
    assert Sign.objects.for_user(user).count() == sign_count


def test_imported_signs_keep_their_values(
    api, user, django_capture_on_commit_callbacks, background_jobs
):
    run(
        api,
        fixture("apple_export.xml"),
        "export.xml",
        django_capture_on_commit_callbacks,
        background_jobs,
    )
    sign = Sign.objects.get(user=user, date=date(2024, 4, 15))
    assert (sign.bbt_celsius, sign.lh_test, sign.cervical_mucus) == (
        Decimal("36.72"),
        "positive",
        "eggwhite",
    )


def test_her_own_entries_survive_an_overlapping_import_and_count_as_skipped(
    api, user, django_capture_on_commit_callbacks, background_jobs
):
    # Her own period overlaps the file's first one (with other dates); her own
    # signs of 2024-01-16 say something else than the file.
    mine = PeriodFactory(user=user, start_date=date(2024, 1, 2), end_date=date(2024, 1, 6))
    SignFactory(user=user, date=date(2024, 1, 16), bbt_celsius=Decimal("36.10"), notes="mine")

    answer = run(
        api, fixture("drip.csv"), "drip.csv", django_capture_on_commit_callbacks, background_jobs
    )

    assert answer["status"] == "done"
    assert answer["created"] == {"periods": 1, "moods": 0, "signs": 5}
    assert answer["skipped"] == {"periods": 1, "moods": 0, "signs": 1}
    mine.refresh_from_db()
    assert (mine.start_date, mine.end_date) == (date(2024, 1, 2), date(2024, 1, 6))
    kept = Sign.objects.get(user=user, date=date(2024, 1, 16))
    assert (kept.bbt_celsius, kept.cervical_mucus, kept.notes) == (Decimal("36.10"), None, "mine")
    assert periods(user) == [("2024-01-02", "2024-01-06"), ("2024-01-29", "2024-01-31")]


@pytest.mark.parametrize(
    ("data", "name", "fmt", "reason"),
    [
        (b'{"operationalData": {"cycles": [', "flo.json", None, "not valid JSON"),
        (fixture("apple_export.xml")[:1500], "export.xml", None, "cut short"),
        (b"\x00\x01binary", "x.bin", None, "cannot tell which app"),
        (fixture("clue_measurements.json"), "m.json", "flo", "not a Flo export"),
    ],
)
def test_a_malformed_file_fails_whole_with_a_reason_and_writes_nothing(
    data, name, fmt, reason, api, user, django_capture_on_commit_callbacks, background_jobs
):
    answer = run(api, data, name, django_capture_on_commit_callbacks, background_jobs, fmt)

    assert answer["status"] == "failed"
    assert answer["created"] == {"periods": 0, "moods": 0, "signs": 0}
    [error] = answer["errors"]
    assert error["record"] == "file"
    assert reason in error["message"]
    assert not Period.objects.filter(user=user).exists()
    assert not Sign.objects.filter(user=user).exists()


def test_a_failure_while_writing_rolls_the_whole_import_back(
    api, user, django_capture_on_commit_callbacks, background_jobs, monkeypatch
):
    real = Sign.objects.bulk_create

    def fail(*args, **kwargs):
        raise services.DatabaseError("the disk is full")

    monkeypatch.setattr(type(Sign.objects), "bulk_create", fail)
    answer = run(
        api, fixture("drip.csv"), "drip.csv", django_capture_on_commit_callbacks, background_jobs
    )
    monkeypatch.setattr(type(Sign.objects), "bulk_create", real)

    assert answer["status"] == "failed"
    assert "nothing was imported" in answer["errors"][0]["message"]
    assert not Period.objects.filter(user=user).exists()  # written before the signs: undone


def test_future_days_and_out_of_range_values_are_reported_per_record_and_the_rest_imported(
    client_for, user, django_capture_on_commit_callbacks, background_jobs
):
    data = (
        b"date,temperature.value,bleeding.value\n"
        b"2024-01-01,36.50,2\n"
        b"2024-01-02,45.10,2\n"
        b"2024-04-20,36.60,\n"
        b"2024-04-21,36.60,3\n"
    )
    with time_machine.travel("2024-04-20 12:00:00+00:00", tick=False):
        answer = run(
            client_for(user), data, "drip.csv", django_capture_on_commit_callbacks, background_jobs
        )

    assert answer["status"] == "done"
    assert answer["created"] == {"periods": 1, "moods": 0, "signs": 2}
    messages = {e["record"]: e["message"] for e in answer["errors"]}
    assert "45.10 °C" in messages["line 3"]
    # The sign and the period of the 21st, each named.
    assert "after your today (2024-04-20)" in messages["line 5"]
    assert "after your today" in messages["drip bleeding days 2024-04-21 to 2024-04-21"]
    assert len(messages) == 3


def test_a_planher_export_round_trips_into_a_new_account(
    api, user, client_for, django_capture_on_commit_callbacks, background_jobs
):
    from accounts.tests.factories import UserFactory
    from moods.tests.factories import DailyMoodFactory

    start = date(2026, 6, 1)
    for n in range(4):
        PeriodFactory(
            user=user,
            start_date=start + timedelta(days=28 * n),
            end_date=start + timedelta(days=28 * n + 4),
        )
    for n in range(ml.MIN_SAMPLES + 2):
        DailyMoodFactory(
            user=user, date=start + timedelta(days=n), energy_level=n % 3, notes=f"day {n}"
        )
    SignFactory(
        user=user,
        date=date(2026, 6, 14),
        bbt_celsius=Decimal("36.55"),
        lh_test="positive",
        cervical_mucus="eggwhite",
        notes="clear",
    )
    PeriodFactory(user=user, start_date=date(2026, 11, 25), end_date=None)  # ongoing
    exported = api.get("/api/v1/auth/me/export").content

    newcomer = UserFactory(email="newcomer@example.com")
    answer = run(
        client_for(newcomer),
        exported,
        "planher-export.json",
        django_capture_on_commit_callbacks,
        background_jobs,
    )

    assert answer["status"] == "done", answer
    assert answer["format"] == "planher"
    assert answer["created"] == {"periods": 5, "moods": ml.MIN_SAMPLES + 2, "signs": 1}

    def data(person):
        return (
            periods(person),
            list(
                DailyMood.objects.for_user(person)
                .order_by("date")
                .values_list("date", "energy_level")
            ),
            [m.notes for m in DailyMood.objects.for_user(person).order_by("date")],
            list(
                Sign.objects.for_user(person).values_list(
                    "date", "bbt_celsius", "lh_test", "cervical_mucus"
                )
            ),
            [s.notes for s in Sign.objects.for_user(person)],
        )

    assert data(newcomer) == data(user)
    with django_capture_on_commit_callbacks(execute=True):
        background_jobs.drain()
    # Her model was retrained from what came in, through the usual queue.
    assert EnergyModel.objects.get(user=newcomer).version >= 1


def test_the_upload_is_deleted_once_the_import_ends(
    api, user, django_capture_on_commit_callbacks, background_jobs
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(api, fixture("flo.json"), "flo.json")
    record = Import.objects.get(pk=response.json()["id"])
    stored = services.upload_dir() / record.upload
    assert stored.exists()
    assert stored.stat().st_mode & 0o077 == 0  # hers only, on the server too

    background_jobs.drain()

    assert not stored.exists()
    assert list(services.upload_dir().iterdir()) == []
    record.refresh_from_db()
    assert (record.status, record.upload) == ("done", "")


def test_a_failed_import_deletes_its_upload_too(
    api, user, django_capture_on_commit_callbacks, background_jobs
):
    run(api, b"{broken", "x.json", django_capture_on_commit_callbacks, background_jobs)
    assert list(services.upload_dir().iterdir()) == []


def test_a_file_over_the_size_limit_is_a_clear_400_and_nothing_is_kept(api, user, settings):
    settings.IMPORT_MAX_MB = 1
    response = upload(api, b"x" * (1024 * 1024 + 1), "big.csv")
    assert response.status_code == 400
    assert "larger than 1 MB" in response.json()["file"][0]
    assert not Import.objects.exists()


def test_a_request_announcing_too_large_a_body_is_refused_before_it_is_read(api, user, settings):
    settings.IMPORT_MAX_MB = 1
    response = api.generic(
        "POST",
        IMPORTS,
        b"",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(5 * 1024 * 1024),
    )
    assert response.status_code == 400
    assert "larger than 1 MB" in response.json()["file"][0]


@pytest.mark.parametrize(
    ("body", "field", "text"),
    [
        ({}, "file", "multipart field `file`"),
        ({"file": SimpleUploadedFile("e.csv", b"")}, "file", "empty"),
        ({"file": SimpleUploadedFile("e.csv", b"x"), "format": "myflo"}, "format", "Choose one of"),
    ],
)
def test_a_missing_or_empty_file_or_an_unknown_format_is_a_clear_400(api, user, body, field, text):
    response = api.post(IMPORTS, body, format="multipart")
    assert response.status_code == 400
    assert text in response.json()[field][0]
    assert not Import.objects.exists()


def test_a_json_body_is_told_to_send_multipart(api, user):
    response = api.post(IMPORTS, {"file": "x"}, format="json")
    assert response.status_code == 415


def test_a_second_upload_while_hers_is_running_is_a_409(
    api, user, django_capture_on_commit_callbacks
):
    first = upload(api, fixture("flo.json"), "flo.json")
    second = upload(api, fixture("flo.json"), "flo.json")
    assert second.status_code == 409
    assert second.json()["id"] == first.json()["id"]


@time_machine.travel(TODAY, tick=False)
def test_an_import_left_running_by_a_dead_worker_is_taken_over(api, user, background_jobs):
    record = Import.objects.create(user=user, status="running", started_at=None)
    Import.objects.filter(pk=record.pk).update(
        started_at=date(2026, 11, 27).isoformat() + "T00:00Z"
    )
    record = services.import_run(import_id=record.pk)
    assert record.status == "failed"  # its upload is gone: told to send it again
    assert "send it again" in record.errors[0]["message"]


def test_an_import_already_running_elsewhere_is_not_run_twice(user):
    from django.utils.timezone import now

    record = Import.objects.create(user=user, status="running", started_at=now())
    assert services.import_run(import_id=record.pk).status == "running"
