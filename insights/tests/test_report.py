"""GET /reports/cycles.pdf, rendered for real and read back with poppler's
pdftotext: it names her cycle lengths, fits one or two A4 pages, and a user
with nothing logged gets one page that says so."""

import shutil
import subprocess
from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from cycles.tests.factories import PeriodFactory, ProfileFactory
from moods.tests.factories import DailyMoodFactory
from signs.tests.factories import SignFactory

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(not shutil.which("pdftotext"), reason="needs poppler-utils"),
]
URL = "/api/v1/reports/cycles.pdf"
TODAY = date(2026, 3, 15)
# Oldest first; the first (45) is her 13th cycle back: left out of the report.
LENGTHS = [45, 27, 29, 31, 26, 28, 30, 33, 25, 28, 32, 29, 27]


def pdf_text(pdf: bytes) -> str:
    done = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True
    )
    return done.stdout.decode()


def words(text: str) -> str:
    """The text with every run of spaces and line breaks made one space."""
    return " ".join(text.split())


def pages(text: str) -> int:
    return text.count("\f")  # pdftotext ends every page with a form feed


@pytest.fixture
def frozen():
    with time_machine.travel("2026-03-15 12:00:00+00:00", tick=False):
        yield


@pytest.fixture
def api(user, frozen, client_for):
    return client_for(user)


@pytest.fixture
def her_history(user, frozen):
    """14 periods (13 cycles), energy every day of the last 60, temperatures for 40."""
    ProfileFactory(user=user)
    start = TODAY - timedelta(days=sum(LENGTHS) + 10)
    starts = []
    for length in [*LENGTHS, None]:
        starts.append(start)
        PeriodFactory(user=user, start_date=start, end_date=start + timedelta(days=4))
        if length:
            start += timedelta(days=length)
    for n in range(60):
        DailyMoodFactory(user=user, date=TODAY - timedelta(days=n), energy_level=n % 3)
    for n in range(40):
        celsius = Decimal("36.30") + Decimal(n % 7) / 20
        SignFactory(user=user, date=TODAY - timedelta(days=n), bbt_celsius=celsius)
    return starts


def test_the_report_is_a_pdf_attachment_named_for_the_day(api, her_history):
    response = api.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        'attachment; filename="planher-cycle-report-2026-03-15.pdf"'
    )
    assert response["Cache-Control"] == "no-store"
    assert response.content.startswith(b"%PDF-")


def test_the_report_names_her_last_twelve_cycle_lengths_on_two_pages_at_most(api, her_history):
    text = pdf_text(api.get(URL).content)
    assert 1 <= pages(text) <= 2
    last_twelve = LENGTHS[-12:]
    for start, length in zip(her_history[-13:-1], last_twelve, strict=True):
        row = f"{start.strftime('%d %b %Y')} {length} days 5 days"  # a row of the table
        assert row in words(text), row
    assert f"{her_history[-1].strftime('%d %b %Y')} current cycle 5 days" in words(text)
    assert "45 days" not in text  # her 13th cycle back is not in it
    assert "median 28.5 days, shortest 25, longest 33 (12 cycles)" in words(text)


def test_the_report_states_figo_terms_alerts_temperature_and_energy(api, her_history):
    text = words(pdf_text(api.get(URL).content))
    for heading in (
        "Frequency (FIGO 2018)",
        "Regularity (FIGO 2018)",
        "Duration of bleeding",
        "Cycle lengths",
        "Alerts (last 6 months)",
        "Basal body temperature",
        "Energy by phase",
    ):
        assert heading in text, heading
    assert "Normal (normal 24\N{EN DASH}38 days" in text  # median 28.5
    assert "Irregular: 8 days between shortest and longest" in text  # 25..33
    assert "not a diagnosis" in text


def test_an_alert_is_named_in_the_report(api, user, frozen):
    for start in (date(2025, 10, 1), date(2025, 10, 29), date(2025, 12, 10), date(2026, 1, 7)):
        PeriodFactory(user=user, start_date=start, end_date=start + timedelta(days=4))
    text = words(pdf_text(api.get(URL).content))
    assert "Long cycles (since 10 Dec 2025)" in text
    assert "42 days from 2025-10-29" in text


def test_a_user_with_no_data_gets_one_page_that_says_so(api):
    response = api.get(URL)
    assert response.status_code == 200
    text = pdf_text(response.content)
    assert pages(text) == 1
    assert "No period logged yet" in text


def test_one_period_makes_a_report_without_a_cycle(api, user, frozen):
    PeriodFactory(user=user, start_date=date(2026, 3, 1), end_date=None)
    text = pdf_text(api.get(URL).content)
    assert "01 Mar 2026" in text
    assert "current cycle" in text
    assert "not ended" in text


def test_a_client_that_accepts_only_pdf_gets_it_and_errors_stay_json(api, anon_client):
    assert api.get(URL, HTTP_ACCEPT="application/pdf").status_code == 200
    refused = anon_client.get(URL, HTTP_ACCEPT="application/pdf")
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/json"
    assert refused.json()["code"] == "not_authenticated"


def test_her_name_in_the_report_is_written_as_text_never_as_markup(client_for, user, frozen):
    user.name = "Zoë <b>&amp; O'Brien"
    user.save()
    text = pdf_text(client_for(user).get(URL).content)
    assert "Zoë <b>&amp; O'Brien" in text
