"""manage.py import_history: an operator imports a file for her, with a summary."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cycles.models import Period
from imports.models import Import

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures"


def test_the_command_imports_her_file_and_prints_one_summary_line(user):
    out = StringIO()
    call_command(
        "import_history", "--user", "ALICE@example.com", str(FIXTURES / "flo.json"), stdout=out
    )
    record = Import.objects.get(user=user)
    assert out.getvalue().strip() == (
        f"import {record.pk} done (flo): created 3 periods, 0 moods, 0 signs; "
        "skipped 0 periods, 0 moods, 0 signs; 0 records left out in "
        + out.getvalue().strip().rsplit(" in ", 1)[1]
    )
    assert Period.objects.filter(user=user).count() == 3
    assert (FIXTURES / "flo.json").exists()  # her file, not an upload: left in place


def test_a_second_run_creates_nothing(user):
    call_command(
        "import_history", "--user", user.email, str(FIXTURES / "drip.csv"), stdout=StringIO()
    )
    out = StringIO()
    call_command("import_history", "--user", user.email, str(FIXTURES / "drip.csv"), stdout=out)
    assert (
        "created 0 periods, 0 moods, 0 signs; skipped 2 periods, 0 moods, 6 signs" in out.getvalue()
    )


def test_a_file_that_fails_ends_non_zero_with_its_reason(user, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"operationalData": ')
    err = StringIO()
    with pytest.raises(CommandError, match="failed"):
        call_command("import_history", "--user", user.email, str(broken), stderr=err)
    assert "not valid JSON" in err.getvalue()
    assert not Period.objects.filter(user=user).exists()


def test_an_unknown_user_or_file_is_an_error(user, tmp_path):
    with pytest.raises(CommandError, match="No user"):
        call_command("import_history", "--user", "nobody@example.com", str(FIXTURES / "flo.json"))
    with pytest.raises(CommandError, match="No file"):
        call_command("import_history", "--user", user.email, str(tmp_path / "missing.json"))
