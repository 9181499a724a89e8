"""Verification checks: counted per day, channel and outcome, nothing about the scanner; the holder sees them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from registry import clock
from registry.certificates import checks, public, services
from registry.certificates.models import Certificate, CheckChannel, VerificationCheck
from registry.certificates.outcomes import Outcome
from registry.certificates.tests.helpers import give_images, seed_certificate
from registry.certificates.tests.test_verify_page import outcome, scan
from registry.clock import LOCAL_ZONE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def holder(world):
    person = give_images(world.registered.person)
    person.registrations.get().specialties.update(valid_to=timezone.localdate() + timedelta(days=400))
    return seed_certificate(person, timezone.now())


def counts(certificate) -> dict[tuple[str, str], int]:
    return {(c.channel, c.outcome): c.count for c in VerificationCheck.objects.filter(certificate=certificate)}


def today():
    return clock.now().astimezone(LOCAL_ZONE).date()


def test_a_qr_scan_counts_one_check_with_its_outcome_and_nothing_about_the_scanner(holder):
    link = public.link_of(holder)
    scan(link)
    scan(link, Client(REMOTE_ADDR="10.9.8.7", HTTP_USER_AGENT="Scanner/1.0"))
    row = VerificationCheck.objects.get(certificate=holder)
    assert (row.channel, row.outcome, row.count, row.day) == ("qr", "valid", 2, today())
    stored = {f.name: getattr(row, f.attname) for f in VerificationCheck._meta.fields}
    assert set(stored) == {"id", "certificate", "day", "channel", "outcome", "count"}
    assert not any("10.9.8.7" in str(v) or "Scanner" in str(v) for v in stored.values())


def test_a_wrong_check_value_names_no_certificate_and_counts_nothing(holder):
    scan(public.link_of(holder)[:-2] + "AA")
    assert VerificationCheck.objects.count() == 0


def test_a_registry_search_counts_under_its_own_channel(holder):
    Client().get("/certificates/search/", {"registration_number": holder.registration_number, "name": holder.name})
    Client().get("/certificates/search/", {"registration_number": holder.registration_number, "name": "某某"})
    assert counts(holder) == {("search", "valid"): 1}


def test_the_outcome_is_counted_as_answered(holder, world):
    scan(public.link_of(holder))
    services.cancel_certificates(registration=holder.registration, actor=world.operator_a, now=timezone.now(),
                                 reason="注销注册")
    scan(public.link_of(holder))
    assert counts(holder) == {("qr", "valid"): 1, ("qr", "cancelled"): 1}


@pytest.mark.parametrize("channel", list(CheckChannel))
def test_every_channel_is_recorded_by_the_one_call(holder, channel):
    assert checks.record_check(holder, channel=channel, outcome=Outcome.VALID, now=clock.now())
    assert checks.record_check(holder, channel=channel.value, outcome="valid", now=clock.now())
    assert counts(holder) == {(channel.value, "valid"): 2}


def test_an_unknown_channel_or_outcome_is_not_recorded_and_does_not_raise(holder):
    assert not checks.record_check(holder, channel="fax", outcome=Outcome.VALID, now=clock.now())
    assert not checks.record_check(holder, channel=CheckChannel.QR, outcome="fine", now=clock.now())
    assert VerificationCheck.objects.count() == 0


def test_a_failure_to_record_never_breaks_the_answer(holder, monkeypatch):
    monkeypatch.setattr(VerificationCheck._meta, "db_table", "no_such_counter_table")
    assert not checks.record_check(holder, channel=CheckChannel.QR, outcome=Outcome.VALID, now=clock.now())
    response = scan(public.link_of(holder))
    assert response.status_code == 200 and outcome(response) == "valid"
    assert holder.registration_number in response.content.decode()


def test_statistics_count_by_day_and_channel_within_the_window_and_in_all(holder):
    now = clock.now()
    for days_ago, channel, times in ((0, CheckChannel.QR, 3), (0, CheckChannel.SEARCH, 1),
                                     (2, CheckChannel.QR, 2), (45, CheckChannel.QR, 5)):
        for _ in range(times):
            checks.record_check(holder, channel=channel, outcome=Outcome.VALID, now=now - timedelta(days=days_ago))
    stats = checks.statistics(holder, now=now)
    assert [(row.day, row.by_channel, row.total) for row in stats.days] == [
        (today(), {"qr": 3, "search": 1}, 4), (today() - timedelta(days=2), {"qr": 2}, 2)]
    assert stats.window_by_channel == {"qr": 5, "search": 1} and stats.window_total == 6
    assert stats.all_by_channel == {"qr": 10, "search": 1} and stats.all_total == 11
    assert stats.channels == [("qr", "扫码核验"), ("search", "注册信息查询")]


class TestHolderPage:
    def page(self, user, certificate):
        client = Client()
        client.force_login(user)
        return client.get(reverse("certificates:detail", args=[certificate.pk]))

    def test_the_holder_sees_counts_by_day_and_channel_in_chinese(self, holder, world):
        assert 'id="no-checks"' in self.page(world.registered, holder).content.decode()
        link = public.link_of(holder)
        scan(link)
        scan(link)
        Client().get("/certificates/search/", {"registration_number": holder.registration_number, "name": holder.name})
        page = self.page(world.registered, holder).content.decode()
        assert "被核验记录" in page and 'id="window-total">3<' in page and 'id="all-total">3<' in page
        assert f'data-day="{today():%Y-%m-%d}"' in page
        assert '<span data-channel="qr">扫码核验 2 次</span>' in page
        assert '<span data-channel="search">注册信息查询 1 次</span>' in page

    def test_another_holders_certificate_statistics_answer_404(self, holder, world):
        scan(public.link_of(holder))
        assert self.page(world.applicant, holder).status_code == 404


@pytest.mark.django_db(transaction=True)
class TestOutsideATransaction:
    """Written at once (a delay of 0): each check its own short transaction."""

    def test_each_scan_is_counted_and_committed(self, holder):
        assert not connection.in_atomic_block
        now = clock.now()
        for _ in range(3):
            assert checks.record_check(holder, channel=CheckChannel.QR, outcome=Outcome.VALID, now=now)
        assert counts(holder) == {("qr", "valid"): 3}
        assert connection.get_autocommit()

    def test_a_failed_count_leaves_the_connection_usable(self, holder, monkeypatch):
        with monkeypatch.context() as patch:
            patch.setattr(VerificationCheck._meta, "db_table", "no_such_counter_table")
            assert not checks.record_check(holder, channel=CheckChannel.QR, outcome=Outcome.VALID, now=clock.now())
        # No transaction left open or aborted: the next statements run and commit.
        assert checks.record_check(holder, channel=CheckChannel.QR, outcome=Outcome.VALID, now=clock.now())
        assert counts(holder) == {("qr", "valid"): 1}
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
            assert connection.connection.info.transaction_status.name == "IDLE"


@pytest.fixture
def delayed(settings):
    """Production's way: counts kept in memory and written later (a delay the test never waits out)."""
    settings.VERIFICATION_COUNT_DELAY_SECONDS = 3600
    checks._pending.clear()
    yield settings
    checks._pending.clear()


class TestDelayedWrites:
    def test_a_scan_reads_the_certificate_and_writes_nothing(self, holder, delayed, django_assert_num_queries):
        link = public.link_of(holder)
        scan(link)  # the process's first request loads the URLconf and the templates
        with django_assert_num_queries(1):
            assert outcome(scan(link)) == "valid"
        assert counts(holder) == {}

    def test_one_write_adds_every_pending_count_to_its_counter(self, holder, delayed):
        delayed.VERIFICATION_COUNT_DELAY_SECONDS = 0
        scan(public.link_of(holder))  # a counter that exists already
        delayed.VERIFICATION_COUNT_DELAY_SECONDS = 3600
        for _ in range(3):
            scan(public.link_of(holder))
        Client().get("/certificates/search/", {"registration_number": holder.registration_number, "name": holder.name})
        checks.record_check(holder, channel=CheckChannel.QR, outcome=Outcome.VALID, now=clock.now() - timedelta(days=1))
        with CaptureQueriesContext(connection) as captured:
            assert checks.flush() == 3
        # One upsert (in a savepoint here, inside the test's transaction).
        assert [q["sql"].split()[0] for q in captured.captured_queries] == ["SAVEPOINT", "INSERT", "RELEASE"]
        assert {(c.day, c.channel, c.outcome): c.count for c in VerificationCheck.objects.filter(certificate=holder)} == {
            (today(), "qr", "valid"): 4, (today(), "search", "valid"): 1,
            (today() - timedelta(days=1), "qr", "valid"): 1}
        assert checks.flush() == 0

    def test_a_failed_write_keeps_the_counts_for_the_next(self, holder, delayed, monkeypatch):
        for _ in range(2):
            checks.record_check(holder, channel=CheckChannel.QR, outcome=Outcome.VALID, now=clock.now())
        with monkeypatch.context() as patch:
            patch.setattr(VerificationCheck._meta, "db_table", "no_such_counter_table")
            assert checks.flush() == 0
        checks.record_check(holder, channel=CheckChannel.QR, outcome=Outcome.VALID, now=clock.now())
        assert checks.flush() == 1
        assert counts(holder) == {("qr", "valid"): 3}

    def test_past_the_limit_new_counters_are_dropped_and_existing_ones_still_count(self, holder, delayed,
                                                                                    monkeypatch):
        monkeypatch.setattr(checks._pending, "max_pending", 2)
        now = clock.now()
        assert checks.record_check(holder, channel=CheckChannel.QR, outcome=Outcome.VALID, now=now)
        assert checks.record_check(holder, channel=CheckChannel.API, outcome=Outcome.VALID, now=now)
        assert not checks.record_check(holder, channel=CheckChannel.SEARCH, outcome=Outcome.VALID, now=now)
        assert checks.record_check(holder, channel=CheckChannel.QR, outcome=Outcome.VALID, now=now)
        checks.flush()
        assert counts(holder) == {("qr", "valid"): 2, ("api", "valid"): 1}

    def test_gunicorn_writes_a_workers_counts_when_it_exits(self, holder, delayed):
        import runpy

        from registry.conftest import REPO_ROOT

        hooks = runpy.run_path(str(REPO_ROOT / "deploy" / "gunicorn.conf.py"))
        checks.record_check(holder, channel=CheckChannel.QR, outcome=Outcome.VALID, now=clock.now())
        hooks["worker_exit"](None, None)
        assert counts(holder) == {("qr", "valid"): 1}


@pytest.mark.django_db(transaction=True)
def test_a_counter_that_cannot_be_written_is_dropped_and_the_others_written(holder, delayed):
    now = clock.now()
    checks.record_check(holder, channel=CheckChannel.QR, outcome=Outcome.VALID, now=now)
    gone = Certificate(pk=holder.pk + 10_000)  # no such row: its counter breaks the foreign key at COMMIT
    checks.record_check(gone, channel=CheckChannel.QR, outcome=Outcome.VALID, now=now)
    assert checks.flush() == 2  # both tried, one by one after the batch failed
    assert counts(holder) == {("qr", "valid"): 1} and VerificationCheck.objects.count() == 1
    assert checks.flush() == 0  # nothing kept to try again


@pytest.mark.django_db(transaction=True)
def test_the_writer_thread_writes_the_counts_after_the_delay(holder, settings):
    import time

    settings.VERIFICATION_COUNT_DELAY_SECONDS = 0.05
    checks._pending.clear()
    try:
        for _ in range(2):
            checks.record_check(holder, channel=CheckChannel.QR, outcome=Outcome.VALID, now=clock.now())
        deadline = time.monotonic() + 30
        while counts(holder) != {("qr", "valid"): 2}:
            assert time.monotonic() < deadline, f"not written: {counts(holder)}"
            time.sleep(0.05)
    finally:
        checks._pending.clear()


@pytest.mark.django_db(transaction=True)
def test_a_process_writes_its_counts_when_it_ends(holder):
    import subprocess
    import sys

    from registry.conftest import REPO_ROOT
    from registry.outbox.tests.test_processes import database_url

    code = ("import django; django.setup(); from registry import clock; "
            "from registry.certificates import checks; from registry.certificates.models import Certificate; "
            f"checks.record_check(Certificate.objects.get(pk={holder.pk}), channel='qr', outcome='valid', now=clock.now())")
    env = {**__import__("os").environ, "DATABASE_URL": database_url(), "DJANGO_SETTINGS_MODULE": "registry.settings",
           "VERIFICATION_COUNT_DELAY_SECONDS": "3600"}
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO_ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr
    assert counts(holder) == {("qr", "valid"): 1}
