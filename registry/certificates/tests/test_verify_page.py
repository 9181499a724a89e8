"""The QR code's landing page: live status, public data only, its own answer for each bad link, a rate limit."""

from __future__ import annotations

import os
import re
import time
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from registry.certificates import public, services, views
from registry.certificates.models import Certificate, CertificateStatus
from registry.certificates.tests.helpers import give_images, seed_certificate
from registry.certificates.verification import check_value, new_public_id
from registry.conftest import missing

pytestmark = pytest.mark.django_db


@pytest.fixture
def holder(world):
    """李四 with a valid certificate issued today (the page reads the real clock)."""
    person = give_images(world.registered.person)
    person.registrations.get().specialties.update(valid_to=timezone.localdate() + timedelta(days=400))
    return seed_certificate(person, timezone.now())


def scan(link: str, client: Client | None = None):
    """Open a verification link the way a phone does after reading the QR code."""
    parts = urlsplit(link)
    return (client or Client()).get(parts.path + ("?" + parts.query if parts.query else ""))


def outcome(response) -> str:
    return re.search(r'id="outcome" data-code="([a-z_]+)"', response.content.decode()).group(1)


def test_a_valid_certificate_shows_valid_with_public_data_only(holder):
    response = scan(public.link_of(holder))
    page = response.content.decode()
    assert response.status_code == 200 and outcome(response) == "valid"
    assert "核验结果：有效" in page and holder.registration_number in page and holder.employer_name in page
    assert holder.id_number not in page and holder.id_number[6:14] not in page  # no ID number, no birth date
    assert holder.name not in page and holder.name[0] + "*" in page
    assert response["Cache-Control"] == "max-age=5"


def test_the_link_printed_in_the_certificate_is_the_landing_page(holder, world):
    assert holder.verification_url == public.link_of(holder)
    assert outcome(scan(holder.verification_url)) == "valid"
    own = Client()
    own.force_login(world.registered)
    page = own.get(f"/certificates/{holder.pk}/").content.decode()
    assert 'id="verification-link"' in page and holder.verification_url.replace("&", "&amp;") in page


def test_a_cancellation_shows_on_the_next_scan(holder, world):
    link = public.link_of(holder)
    assert outcome(scan(link)) == "valid"
    services.cancel_certificates(registration=holder.registration, actor=world.operator_a, now=timezone.now(),
                                 reason="注销注册")
    response = scan(link)
    assert outcome(response) == "cancelled" and "已注销" in response.content.decode()


def test_a_superseded_certificate_links_to_its_successor(holder, world):
    registration = holder.registration
    successor = services.issue_certificate(
        registration=registration, actor=None, now=timezone.now(), source="seed", idempotency_key="next",
        images=services.images_for(holder.person), reason="换发",
    )
    response = scan(public.link_of(holder))
    page = response.content.decode()
    assert outcome(response) == "superseded" and "被新版本替代" in page
    assert public.link_of(successor).replace("&", "&amp;") in page or public.link_of(successor) in page
    assert outcome(scan(public.link_of(successor))) == "valid"


def test_an_ended_validity_reads_expired_even_before_the_daily_sweep(holder):
    Certificate.objects.filter(pk=holder.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    assert outcome(scan(public.link_of(holder))) == "expired"


def test_a_revoked_certificate_says_so(holder, world):
    services.revoke_certificate(actor=world.reviewer, certificate=holder, reason="以欺骗手段取得", now=timezone.now())
    assert outcome(scan(public.link_of(holder))) == "revoked"


@pytest.mark.parametrize("path, code", [
    ("/certificates/verify/K7Q2M9X4TZ8WD3FA?c=AAAAAAAA", "check_failed"),
    ("/certificates/verify/K7Q2M9X4TZ8WD3FA", "malformed_link"),
    ("/certificates/verify/not-an-id?c=ABCDEFGH", "malformed_link"),
    ("/certificates/verify/" + "A" * 300 + "?c=ABCDEFGH", "malformed_link"),
    ("/certificates/verify/K7Q2M9X4TZ8WD3FA?c=%00%FF", "malformed_link"),
])
def test_a_bad_link_gets_its_own_answer_and_never_a_500(path, code, holder):
    response = Client().get(path)
    assert response.status_code == 200 and outcome(response) == code
    assert holder.registration_number not in response.content.decode()


def test_an_unknown_certificate_needs_a_correct_check_value_to_be_told_apart(settings):
    unknown = new_public_id()
    right = check_value(unknown, settings.CERTIFICATE_VERIFICATION_KEY)
    assert outcome(Client().get(f"/certificates/verify/{unknown}?c={right}")) == "unknown_certificate"
    # With a wrong check value an existing and a missing id look the same: no enumeration.
    assert outcome(Client().get(f"/certificates/verify/{unknown}?c=AAAAAAAA")) == "check_failed"


def test_the_status_is_unavailable_rather_than_guessed_when_the_database_fails(holder):
    from django.db import OperationalError, connection

    def broken(execute, sql, params, many, context):
        raise OperationalError("connection lost")

    link = public.link_of(holder)
    with connection.execute_wrapper(broken):  # every statement fails, as with the server gone
        response = scan(link)
    assert outcome(response) == "status_unavailable" and "不表示证书有效或无效" in response.content.decode()


@pytest.mark.parametrize("sync_ms", [0, 3_600_000], ids=["counted-at-once", "counted-in-memory"])
def test_one_address_is_limited_per_minute(holder, settings, sync_ms):
    """Counted in the cache on each request, or (production) in the worker's memory and written later."""
    settings.VERIFY_RATE_PER_MINUTE, settings.RATE_LIMIT_SYNC_MS = 3, sync_ms
    views._RATE.clear()
    link, client = public.link_of(holder), Client()
    try:
        assert [scan(link, client).status_code for _ in range(3)] == [200, 200, 200]
        limited = scan(link, client)
        assert limited.status_code == 429 and limited["Retry-After"] == "60"
        assert "查询过于频繁" in limited.content.decode()
        assert scan(link, Client(REMOTE_ADDR="10.9.8.7")).status_code == 200  # another address is not affected
    finally:
        views._RATE.clear()


def _redis_cache(location: str):
    """A cache client of its own (its own connection pool), as another gunicorn worker would hold."""
    from registry.ops.cache import RedisCache

    return RedisCache(location, {"KEY_PREFIX": "ratelimit-test"})


def test_every_worker_counts_one_limit_in_the_shared_cache(holder, settings, monkeypatch):
    """Two processes' cache clients on one Redis share the count; per-process memory would not."""
    location = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    workers = [_redis_cache(location), _redis_cache(location)]
    try:
        workers[0].clear()
    except Exception as exc:  # noqa: BLE001  (no Redis on this machine)
        missing(f"Redis at {location} is not reachable: {exc}")
    assert workers[0]._cache is not workers[1]._cache
    turn = iter(workers * 10)
    monkeypatch.setattr(views._RATE, "cache", lambda: next(turn))
    settings.VERIFY_RATE_PER_MINUTE = 3
    link, client = public.link_of(holder), Client()
    try:
        # Alternating workers: the fourth request is over the limit, whichever worker answers it.
        assert [scan(link, client).status_code for _ in range(5)] == [200, 200, 200, 429, 429]
    finally:
        workers[0].clear()


def test_per_process_memory_would_count_each_worker_apart(holder, settings, monkeypatch):
    """What the shared cache prevents: two workers' own memory let twice the limit through."""
    from django.core.cache.backends.locmem import LocMemCache

    workers = [LocMemCache("worker-1", {}), LocMemCache("worker-2", {})]
    turn = iter(workers * 10)
    monkeypatch.setattr(views._RATE, "cache", lambda: next(turn))
    settings.VERIFY_RATE_PER_MINUTE = 3
    link, client = public.link_of(holder), Client()
    assert [scan(link, client).status_code for _ in range(7)] == [200] * 6 + [429]


def test_the_landing_page_costs_one_read_and_one_counter_write(holder, django_assert_max_num_queries):
    link = public.link_of(holder)
    scan(link)  # first request of the process: URL resolver, templates loaded
    with django_assert_max_num_queries(4) as captured:
        assert outcome(scan(link)) == "valid"
    # (A statement of a server-side binding cursor is logged as "QUERY = '…' - PARAMS = …".)
    statements = [query["sql"].removeprefix("QUERY = '").split()[0].upper() for query in captured.captured_queries]
    # The certificate read, and the day's check counter upserted inside its savepoint (checks.record_check).
    assert [s for s in statements if s not in {"SAVEPOINT", "RELEASE"}] == ["SELECT", "INSERT"]


def postgresql_only():
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's prepared statements and backends (the PostgreSQL passes run this)")


def test_on_postgresql_the_landing_read_is_one_prepared_statement(holder):
    from django.db import connection

    postgresql_only()
    link = public.link_of(holder)
    for _ in range(3):
        assert outcome(scan(link)) == "valid"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), sum(generic_plans + custom_plans) FROM pg_prepared_statements "
                       "WHERE statement LIKE %s AND NOT from_sql", ["%LEFT JOIN%certificates_certificate%"])
        prepared, calls = cursor.fetchone()
    assert (prepared, calls) == (1, 3)  # prepared once on this connection, executed on every scan


def test_with_preparing_turned_off_the_landing_read_still_answers(holder):
    from django.db import connection

    postgresql_only()
    scan(public.link_of(holder))
    connection.connection.prepare_threshold = None  # DATABASE_URL ...?prepare_threshold=off
    try:
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")
        assert outcome(scan(public.link_of(holder))) == "valid"
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            assert cursor.fetchone()[0] == 0
    finally:
        connection.connection.prepare_threshold = 0


@pytest.mark.django_db(transaction=True)
def test_a_connection_lost_since_the_last_scan_is_replaced_and_the_scan_answers(holder):
    from django.db import connection

    postgresql_only()
    link = public.link_of(holder)
    assert outcome(scan(link)) == "valid"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        [lost] = cursor.fetchone()
    import psycopg

    settings = connection.settings_dict
    with psycopg.connect(host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432, user=settings["USER"],
                         password=settings["PASSWORD"] or None, dbname=settings["NAME"], autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [lost])  # as a database restart does
        deadline = time.monotonic() + 30
        while admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [lost]).fetchone():
            assert time.monotonic() < deadline, "the backend did not end"
            time.sleep(0.01)  # the signal is sent; wait until the backend is gone
    assert outcome(scan(link)) == "valid"
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        assert cursor.fetchone()[0] != lost


def test_statuses_all_have_an_answer():
    assert set(public._BY_STATUS) == set(CertificateStatus)


class TestRegistrySearch:
    def test_number_and_name_exactly_find_the_certificate_and_link_to_its_live_page(self, holder):
        response = Client().get("/certificates/search/", {"registration_number": holder.registration_number,
                                                          "name": holder.name})
        page = response.content.decode()
        assert response.status_code == 200 and outcome(response) == "valid"
        assert public.link_of(holder).replace("&", "&amp;") in page or public.link_of(holder) in page
        assert holder.id_number not in page and response["Cache-Control"] == "no-store"

    @pytest.mark.parametrize("change", ["name", "number", "partial"])
    def test_anything_but_an_exact_match_gives_the_same_not_found(self, holder, change):
        number, name = holder.registration_number, holder.name
        query = {"name": name[:-1] + "某", "registration_number": number} if change == "name" else (
            {"name": name, "registration_number": number[:-1] + ("9" if number[-1] != "9" else "8")}
            if change == "number" else {"name": name[0], "registration_number": number})
        response = Client().get("/certificates/search/", query)
        assert response.status_code == 200 and outcome(response) == "not_found"
        assert number not in response.content.decode().replace(query["registration_number"], "")

    def test_a_malformed_number_is_refused_with_the_reason(self, holder):
        response = Client().get("/certificates/search/", {"registration_number": "渝25%", "name": holder.name})
        assert response.status_code == 400 and "注册编号格式不正确" in response.content.decode()

    def test_the_search_is_rate_limited(self, holder, settings):
        settings.VERIFY_RATE_PER_MINUTE = 2
        client, query = Client(), {"registration_number": holder.registration_number, "name": "某某"}
        assert [client.get("/certificates/search/", query).status_code for _ in range(3)] == [200, 200, 429]


def _comparable(html: str) -> str:
    """The page without what differs between two requests: the CSRF token and the check's time."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', 'name="csrfmiddlewaretoken" value=""', html)
    return re.sub(r"核验时间：[^（]+（", "核验时间：（", html)


def _both_renderings(link: str, monkeypatch) -> tuple[str, str]:
    """The page as a visitor without a session gets it (the stencil) and as a plain render gives it."""
    reused = scan(link).content.decode()
    with monkeypatch.context() as patch:
        patch.setattr(views, "_plain_visitor", lambda request: False)
        rendered = scan(link).content.decode()
    return _comparable(reused), _comparable(rendered)


def test_the_reused_rendering_is_the_plain_rendering_for_every_answer(holder, world, monkeypatch):
    """registry.stencil's limits (text only printed, never compared or filtered) hold for this page."""
    link = public.link_of(holder)
    pages = {"valid": _both_renderings(link, monkeypatch)}
    for path, code in [("/certificates/verify/K7Q2M9X4TZ8WD3FA?c=AAAAAAAA", "check_failed"),
                       ("/certificates/verify/not-an-id?c=ABCDEFGH", "malformed_link")]:
        pages[code] = _both_renderings(path, monkeypatch)
    unknown = new_public_id()
    pages["unknown"] = _both_renderings(
        f"/certificates/verify/{unknown}?c={check_value(unknown, views.settings.CERTIFICATE_VERIFICATION_KEY)}",
        monkeypatch)
    # Two specialties, one with text a template must escape.
    Certificate.objects.filter(pk=holder.pk).update(
        employer_name="重庆<山城>建设&有限公司", specialties=[*holder.specialties, {**holder.specialties[0], "name": "市政公用工程"}])
    pages["escaped"] = _both_renderings(link, monkeypatch)
    successor = services.issue_certificate(
        registration=holder.registration, actor=None, now=timezone.now(), source="seed", idempotency_key="next",
        images=services.images_for(holder.person), reason="换发")
    pages["superseded"] = _both_renderings(link, monkeypatch)
    services.cancel_certificates(registration=holder.registration, actor=world.operator_a, now=timezone.now(),
                                 reason="注销注册")
    pages["cancelled"] = _both_renderings(public.link_of(successor), monkeypatch)
    for name, (reused, rendered) in pages.items():
        assert reused == rendered, name
    assert "重庆&lt;山城&gt;建设&amp;有限公司" in pages["escaped"][0] and "市政公用工程" in pages["escaped"][0]
    assert public.link_of(successor).replace("&", "&amp;") in pages["superseded"][0]
    assert 'data-code="cancelled"' in pages["cancelled"][0]


def test_one_rendering_serves_every_version_of_a_certificate(holder):
    link = public.link_of(holder)
    views._LANDING._parts.clear()
    assert f"（第 {holder.version} 版）" in scan(link).content.decode()
    Certificate.objects.filter(pk=holder.pk).update(version=holder.version + 6)
    assert f"（第 {holder.version + 6} 版）" in scan(link).content.decode()
    assert len(views._LANDING._parts) == 1  # the version is text in the page, not part of its shape


def test_a_signed_in_visitor_gets_the_page_with_their_menu(holder, world):
    own = Client()
    own.force_login(world.registered)
    page = scan(public.link_of(holder), own).content.decode()
    assert 'data-code="valid"' in page and "电子证书管理" in page and "退出" in page
    assert "电子证书管理" not in scan(public.link_of(holder)).content.decode()
