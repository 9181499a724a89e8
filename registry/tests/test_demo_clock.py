"""The demo's clock (registry.clock with REGISTRY_DEMO_CLOCK_FILE) and `manage.py demo_clock`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from registry import clock

MOMENT = datetime(2030, 3, 4, 1, 0, tzinfo=UTC)  # a fixed machine time (travelled to), not the real clock


@pytest.fixture
def demo_clock(tmp_path, monkeypatch, settings):
    settings.DEMO_MODE, settings.DEBUG = True, True
    path = tmp_path / "demo-clock"
    monkeypatch.setenv(clock.DEMO_CLOCK_ENV, str(path))
    with time_machine.travel(MOMENT, tick=False):
        yield path


def test_without_the_variable_the_clock_is_the_machines(monkeypatch):
    monkeypatch.delenv(clock.DEMO_CLOCK_ENV, raising=False)
    with time_machine.travel(MOMENT, tick=False):
        assert clock.now() == MOMENT and clock.demo_offset() == timedelta(0)
    with pytest.raises(RuntimeError, match=clock.DEMO_CLOCK_ENV):
        clock.set_demo_offset(timedelta(days=1))


def test_no_file_yet_is_no_offset(demo_clock):
    assert not demo_clock.exists() and clock.now() == MOMENT


def test_every_reading_follows_the_file(demo_clock):
    clock.set_demo_offset(timedelta(days=2, hours=3))
    assert clock.now() == MOMENT + timedelta(days=2, hours=3)
    assert clock.today() == (MOMENT + timedelta(days=2, hours=3)).astimezone(clock.LOCAL_ZONE).date()
    demo_clock.write_text("3600\n", encoding="ascii")  # another process moved it
    assert clock.now() == MOMENT + timedelta(hours=1)


def test_the_command_moves_it_forward_only_and_resets_it(demo_clock):
    out = StringIO()
    call_command("demo_clock", "--to", "2030-03-06T09:00", stdout=out)  # Chongqing's 09:00 is 01:00 UTC
    assert clock.now() == datetime(2030, 3, 6, 1, 0, tzinfo=UTC)
    assert out.getvalue().startswith("2030-03-06 09:00:00 (Asia/Shanghai), 172800 s ahead")
    with pytest.raises(CommandError, match="only moves forward"):
        call_command("demo_clock", "--to", "2030-03-05T09:00")
    call_command("demo_clock", "--reset", stdout=StringIO())
    assert clock.now() == MOMENT


def test_the_command_is_refused_outside_a_demo(demo_clock, settings, monkeypatch):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="DEMO_MODE"):
        call_command("demo_clock", "--to", "2030-03-06T09:00")
    settings.DEMO_MODE = True
    monkeypatch.delenv(clock.DEMO_CLOCK_ENV)
    with pytest.raises(CommandError, match="serve-demo"):
        call_command("demo_clock")
    assert not demo_clock.exists()


def test_the_product_reads_the_time_only_through_registry_clock():
    """A direct timezone.now() would not follow a moved demo clock (and is what registry.clock forbids)."""
    import re
    from pathlib import Path

    root = Path(clock.__file__).parent
    direct = re.compile(r"timezone\.now\b|timezone\.localdate\(\)|datetime\.(now|utcnow)\(|time\.time\(\)")
    found = [f"{path.relative_to(root)}:{n}" for path in root.rglob("*.py")
             if not {"tests", "migrations"} & set(path.parts) and path.name != "clock.py"
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if direct.search(line)]
    assert found == []
