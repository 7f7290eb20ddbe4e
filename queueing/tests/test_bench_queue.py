"""bench_queue: a short run of kiosks and counters in threads finds no duplicate call, no lost ticket and no
numbering gap, and cleans its data up; it refuses SQLite."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from accounts.models import Agency
from queueing.models import Ticket


def value(text: str, label: str) -> int:
    line = next(line for line in text.splitlines() if line.startswith(label))
    return int(line[len(label):].split()[0])


@pytest.mark.django_db(transaction=True)
def test_a_short_bench_run_has_no_duplicates_nor_lost_tickets():
    if connection.vendor != "postgresql":
        pytest.skip("the benchmark needs PostgreSQL")
    out = StringIO()
    call_command("bench_queue", "--counters", "3", "--kiosks", "2", "--seconds", "3", "--pace", "0.3",
                 "--seed", "1", stdout=out)
    text = out.getvalue()
    assert value(text, "DUPLICATES (must be 0)") == 0
    assert value(text, "LOST tickets (must be 0)") == 0
    assert value(text, "NUMBERING GAPS (must be 0)") == 0
    assert value(text, "tickets issued") > 0 and value(text, "tickets called") > 0
    assert value(text, "errors") == 0
    assert not Agency.objects.filter(code="BENCH.Q").exists() and not Ticket.objects.exists()


def test_it_refuses_sqlite(monkeypatch):
    monkeypatch.setattr(connection, "vendor", "sqlite")
    with pytest.raises(CommandError, match="PostgreSQL"):
        call_command("bench_queue", "--seconds", "1")
