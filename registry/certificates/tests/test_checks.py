"""Verification checks: counted per day, channel and outcome, nothing about the scanner; the holder sees them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from registry import clock
from registry.certificates import checks, public, services
from registry.certificates.models import CheckChannel, VerificationCheck
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
    """The QR page's own path: autocommit, one round trip (on PostgreSQL without waiting for the WAL flush)."""

    def test_each_scan_is_counted_and_committed(self, holder):
        from django.db import connection

        assert not connection.in_atomic_block
        now = clock.now()
        for _ in range(3):
            assert checks.record_check(holder, channel=CheckChannel.QR, outcome=Outcome.VALID, now=now)
        assert counts(holder) == {("qr", "valid"): 3}
        assert connection.get_autocommit()

    def test_a_failed_count_leaves_the_connection_usable(self, holder, monkeypatch):
        from django.db import connection

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
