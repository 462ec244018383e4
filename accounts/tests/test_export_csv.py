"""GET /auth/me/export?format=csv: her days for a spreadsheet, one row a day
with data; both exports are attachments; a bad format is a 400."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
import time_machine

from cycles.tests.factories import PeriodFactory
from moods.tests.factories import DailyMoodFactory
from signs.tests.factories import SignFactory

pytestmark = pytest.mark.django_db

EXPORT = "/api/v1/auth/me/export"


def rows(response) -> list[dict]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # spreadsheets read it as UTF-8
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


@time_machine.travel("2026-03-15 12:00:00+00:00", tick=False)
def test_the_csv_export_has_one_row_for_each_day_with_data(client_for, user):
    api = client_for(user)
    PeriodFactory(user=user, start_date=date(2026, 3, 1), end_date=date(2026, 3, 3))
    PeriodFactory(user=user, start_date=date(2026, 3, 13), end_date=None)  # ongoing
    DailyMoodFactory(
        user=user, date=date(2026, 3, 2), energy_level=0, notes="crampes, très fatiguée"
    )
    DailyMoodFactory(user=user, date=date(2026, 3, 8), energy_level=2, notes="=HYPERLINK(1)")
    SignFactory(
        user=user,
        date=date(2026, 3, 8),
        bbt_celsius=Decimal("36.5"),
        lh_test="positive",
        cervical_mucus="eggwhite",
        notes="clear",
    )
    SignFactory(user=user, date=date(2026, 3, 10), bbt_celsius=Decimal("36.70"))

    response = api.get(EXPORT, {"format": "csv"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"] == 'attachment; filename="planher-days-2026-03-15.csv"'
    table = rows(response)
    assert list(table[0]) == [
        "date",
        "period",
        "energy_level",
        "notes",
        "bbt_celsius",
        "lh_test",
        "cervical_mucus",
    ]
    assert [(r["date"], r["period"]) for r in table] == [
        ("2026-03-01", "yes"),
        ("2026-03-02", "yes"),
        ("2026-03-03", "yes"),
        ("2026-03-08", "no"),
        ("2026-03-10", "no"),
        ("2026-03-13", "yes"),  # her ongoing period, up to her today
        ("2026-03-14", "yes"),
        ("2026-03-15", "yes"),
    ]
    by_day = {r["date"]: r for r in table}
    assert by_day["2026-03-02"]["energy_level"] == "0"
    assert by_day["2026-03-02"]["notes"] == "crampes, très fatiguée"
    # A note a spreadsheet would run as a formula is written as text.
    assert by_day["2026-03-08"] == {
        "date": "2026-03-08",
        "period": "no",
        "energy_level": "2",
        "notes": "'=HYPERLINK(1) | clear",
        "bbt_celsius": "36.50",
        "lh_test": "positive",
        "cervical_mucus": "eggwhite",
    }
    assert by_day["2026-03-10"]["bbt_celsius"] == "36.70"


def test_an_empty_account_exports_a_header_only(api, user):
    response = api.get(EXPORT, {"format": "csv"})
    assert response.status_code == 200
    assert rows(response) == []
    assert response.content.decode().strip("\ufeff\r\n").startswith("date,period")


@pytest.mark.parametrize("query", [{}, {"format": "json"}])
def test_the_json_export_stays_the_default_and_is_an_attachment(api, user, query):
    response = api.get(EXPORT, query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith('attachment; filename="planher-export-')
    assert response.json()["account"]["email"] == user.email


@pytest.mark.parametrize("value", ["xml", "api", "CSV", "csv;"])
def test_any_other_format_is_a_400_that_names_the_choices(api, user, value):
    response = api.get(EXPORT, {"format": value})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"format": ["Choose json (the default) or csv."]}


def test_the_csv_export_asks_for_a_login_like_the_json_one(anon_client):
    response = anon_client.get(EXPORT, {"format": "csv"})
    assert response.status_code == 401
