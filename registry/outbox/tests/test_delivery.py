"""Delivery of one message: claims, acknowledgements, backoff, parking; the operator and enterprise pages."""

from __future__ import annotations

import base64
import json
import random
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse

from registry import clock
from registry.applications import services as workflow
from registry.applications.tests.conftest import at, under_review
from registry.audit.models import AuditEvent
from registry.national_sim.models import Mode, ReceivedMessage, StandInState
from registry.outbox import services
from registry.outbox.backoff import retry_delay
from registry.outbox.models import Kind, OutboxMessage, Status, Subscription
from registry.outbox.reconcile import differences
from registry.outbox.signing import sign, verify
from registry.people.models import EnterpriseOperator

pytestmark = pytest.mark.django_db


def national(key="k1", payload=None) -> OutboxMessage:
    return services.queue_message(kind=Kind.NATIONAL, key=key, payload=payload or {"type": "test"},
                                  now=clock.now() - timedelta(seconds=1))


class TestPure:
    def test_the_delay_doubles_up_to_the_cap_with_jitter(self):
        rng = random.Random(7)
        delays = [retry_delay(n, base=10, cap=100, rng=rng) for n in (1, 2, 3, 4, 5, 6)]
        for delay, ceiling in zip(delays, (10, 20, 40, 80, 100, 100), strict=True):
            assert ceiling / 2 <= delay <= ceiling

    def test_a_signature_checks_secret_body_and_time(self):
        signature = sign("secret", 1000, b"{}")
        assert verify("secret", 1000, b"{}", signature, now=1100)
        assert not verify("other", 1000, b"{}", signature, now=1100)
        assert not verify("secret", 1000, b"{ }", signature, now=1100)
        assert not verify("secret", 1000, b"{}", signature, now=2000)


class TestDelivery:
    def test_an_acknowledged_message_is_delivered_once(self, receiver, settings):
        state, url = receiver
        settings.NATIONAL_PLATFORM_URL = url
        message = national()
        assert services.deliver(message.pk) == "delivered"
        assert services.deliver(message.pk) == "skipped"
        message.refresh_from_db()
        assert message.status == Status.DELIVERED and message.attempts == 1 and message.delivered_at
        assert state.requests == 1 and state.applied["k1"] == 1

    def test_a_receiver_down_schedules_the_next_attempt_with_backoff(self, receiver, settings):
        state, url = receiver
        settings.NATIONAL_PLATFORM_URL = url
        settings.OUTBOX_BACKOFF_BASE_SECONDS = 60
        state.down = True
        message = national()
        before = clock.now()
        assert services.deliver(message.pk) == "failed"
        message.refresh_from_db()
        assert message.status == Status.FAILED and "HTTP 503" in message.last_error
        assert before + timedelta(seconds=30) <= message.next_attempt_at <= clock.now() + timedelta(seconds=60)
        assert services.deliver(message.pk) == "skipped"  # not due yet

    def test_an_unreachable_receiver_is_a_failure_to_retry(self, settings):
        settings.NATIONAL_PLATFORM_URL = "http://127.0.0.1:9/closed"
        message = national()
        assert services.deliver(message.pk) == "failed"
        message.refresh_from_db()
        assert "unreachable" in message.last_error

    def test_a_refused_request_is_parked(self, settings):
        settings.NATIONAL_PLATFORM_URL = "http://testserver/national-sim/api/messages"
        settings.NATIONAL_PLATFORM_SECRET = "wrong"
        from registry.outbox import adapters

        def post(url, body, headers, timeout, auth=None):
            raise adapters.DeliveryFailed("HTTP 401: unauthorised", permanent=True)

        original = adapters._post
        adapters._post = post
        try:
            message = national()
            assert services.deliver(message.pk) == "parked"
        finally:
            adapters._post = original

    def test_a_claim_whose_lease_ran_out_is_delivered_again(self, receiver, settings):
        state, url = receiver
        settings.NATIONAL_PLATFORM_URL = url
        message = national()
        assert services.claim(message.pk, now=clock.now()) is not None  # a worker that then died
        assert services.deliver(message.pk) == "skipped"
        later = clock.now() + timedelta(seconds=settings.OUTBOX_LEASE_SECONDS + 1)
        assert services.claim(message.pk, now=later) is not None

    def test_the_retry_sweep_enqueues_due_and_stalled_messages_only(self, settings):
        due = national("due")
        OutboxMessage.objects.filter(pk=due.pk).update(status=Status.FAILED, attempts=1)
        later = national("later")
        OutboxMessage.objects.filter(pk=later.pk).update(status=Status.FAILED, attempts=1,
                                                         next_attempt_at=clock.now() + timedelta(hours=1))
        stalled = national("stalled")
        OutboxMessage.objects.filter(pk=stalled.pk).update(status=Status.DELIVERING, attempts=1,
                                                           lease_until=clock.now() - timedelta(seconds=1))
        enqueued = []
        original = services.enqueue_delivery
        services.enqueue_delivery = enqueued.append
        try:
            assert services.requeue_due(now=clock.now()) == 2
        finally:
            services.enqueue_delivery = original
        assert sorted(enqueued) == sorted([due.pk, stalled.pk])

    def test_an_email_notice_goes_through_djangos_mail_backend(self):
        message = services.queue_message(kind=Kind.EMAIL, key="m1", destination="a@example.com",
                                         payload={"subject": "通知", "text": "您的申请已受理。"}, now=clock.now())
        assert services.deliver(message.pk) == "delivered"
        assert mail.outbox[-1].to == ["a@example.com"] and mail.outbox[-1].body == "您的申请已受理。"

    def test_an_sms_stand_in_logs_a_masked_number(self, caplog):
        message = services.queue_message(kind=Kind.SMS, key="s1", destination="13800001234",
                                         payload={"text": "您的申请已受理。"}, now=clock.now())
        with caplog.at_level("INFO", logger="registry.outbox"):
            assert services.deliver(message.pk) == "delivered"
        assert "138****1234" in caplog.text and "13800001234" not in caplog.text

    def test_an_sms_through_the_gateway_carries_the_number_text_and_token(self, receiver, settings):
        state, url = receiver
        settings.SMS_BACKEND, settings.SMS_GATEWAY_URL, settings.SMS_GATEWAY_TOKEN = "http", url, "tok"
        message = services.queue_message(kind=Kind.SMS, key="s2", destination="13800001234",
                                         payload={"text": "您的申请已受理。"}, now=clock.now())
        assert services.deliver(message.pk) == "delivered"
        headers, body = state.bodies[0]
        assert headers["Authorization"] == "Bearer tok" and headers["Idempotency-Key"] == "s2"
        assert json.loads(body) == {"to": "13800001234", "text": "您的申请已受理。"}

    def test_a_webhook_is_signed_over_timestamp_and_body(self, world, receiver):
        state, url = receiver
        subscription = Subscription.objects.create(enterprise=world.enterprise_a, url=url, secret="x" * 32)
        services.queue_webhooks(enterprise_id=world.enterprise_a.pk, event="registration.registered",
                                data={"registration_number": "渝1"}, key="w1", now=clock.now())
        message = OutboxMessage.objects.get(kind=Kind.WEBHOOK)
        assert services.deliver(message.pk) == "delivered"
        headers, body = state.bodies[0]
        timestamp = int(headers["X-Registry-Timestamp"])
        assert headers["X-Registry-Signature"] == "sha256=" + sign(subscription.secret, timestamp, body)
        assert json.loads(body)["event"] == "registration.registered"


class TestStandIn:
    def auth(self, settings):
        token = base64.b64encode(f"{settings.NATIONAL_PLATFORM_CLIENT_ID}:{settings.NATIONAL_PLATFORM_SECRET}"
                                 .encode()).decode()
        return {"HTTP_AUTHORIZATION": f"Basic {token}"}

    def post(self, client, key, headers):
        return client.post(reverse("national_sim:receive"), data=json.dumps({"type": "registration"}),
                           content_type="application/json", HTTP_IDEMPOTENCY_KEY=key, **headers)

    def test_it_applies_a_key_once_and_acknowledges_repeats(self, client, settings):
        headers = self.auth(settings)
        assert self.post(client, "a", headers).json() == {"status": "accepted", "key": "a"}
        assert self.post(client, "a", headers).json() == {"status": "duplicate", "key": "a"}
        assert ReceivedMessage.objects.get(idempotency_key="a").times_received == 2

    def test_it_refuses_wrong_credentials_and_fails_or_is_down_on_demand(self, client, settings):
        assert self.post(client, "a", {"HTTP_AUTHORIZATION": "Basic eDp5"}).status_code == 401
        StandInState.objects.create(pk=1, mode=Mode.FAIL)
        assert self.post(client, "a", self.auth(settings)).status_code == 500
        StandInState.objects.filter(pk=1).update(mode=Mode.DOWN)
        assert self.post(client, "a", self.auth(settings)).status_code == 503
        assert not ReceivedMessage.objects.exists()

    def test_the_adapter_talks_to_the_stand_in(self, client, settings, monkeypatch):
        from registry.outbox import adapters

        def post(url, data, headers, timeout, auth, allow_redirects):
            token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
            return client.post(reverse("national_sim:receive"), data=data, content_type="application/json",
                               HTTP_IDEMPOTENCY_KEY=headers["Idempotency-Key"], HTTP_AUTHORIZATION=f"Basic {token}")

        monkeypatch.setattr(adapters.requests, "post", post)
        message = national("n1", {"type": "registration", "event": "registered"})
        assert services.deliver(message.pk) == "delivered"
        assert ReceivedMessage.objects.get(idempotency_key="n1").payload["event"] == "registered"


    def test_its_page_shows_what_it_received_and_switches_its_mode(self, client, world):
        ReceivedMessage.objects.create(idempotency_key="r1", payload={
            "type": "registration", "event": "registered",
            "registration": {"registration_number": "渝2502025202600001", "name": "张三"}})
        ReceivedMessage.objects.create(idempotency_key="c1", payload={
            "type": "certificate", "event": "issued", "certificate": {"registration_number": "渝2502025202600002"}})
        client.force_login(world.reviewer)
        page = client.get(reverse("national_sim:messages")).content.decode()
        assert "渝2502025202600001" in page and "张三" in page and "渝2502025202600002" in page
        client.post(reverse("national_sim:messages"), {"mode": Mode.DOWN})
        assert StandInState.objects.get().mode == Mode.DOWN
        client.force_login(world.applicant)
        assert client.get(reverse("national_sim:messages")).status_code == 404  # another role's page answers 404 (registry.roles)


class TestOperatorPage:
    def test_only_administrators_see_it_with_counts_and_last_errors(self, client, world, admin_user):
        message = national()
        OutboxMessage.objects.filter(pk=message.pk).update(status=Status.FAILED, last_error="HTTP 503: down")
        client.force_login(world.reviewer)
        assert client.get(reverse("outbox:operator")).status_code == 404  # another role's page answers 404 (registry.roles)
        admin_user.role = "admin"
        admin_user.save()
        client.force_login(admin_user)
        page = client.get(reverse("outbox:operator")).content.decode()
        assert "发送失败，等待重试：1" in page and "HTTP 503: down" in page

    def test_an_operator_parks_and_retries_a_message_and_it_is_audited(self, client, admin_user):
        admin_user.role = "admin"
        admin_user.save()
        client.force_login(admin_user)
        message = national()
        OutboxMessage.objects.filter(pk=message.pk).update(status=Status.FAILED)
        url = reverse("outbox:operator_action", args=[message.pk])
        client.post(url, {"action": "park"})
        assert OutboxMessage.objects.get(pk=message.pk).status == Status.PARKED
        client.post(url, {"action": "park"})
        assert "该消息当前状态不能搁置。" in client.get(reverse("outbox:operator")).content.decode()
        client.post(url, {"action": "retry"})
        assert OutboxMessage.objects.get(pk=message.pk).status == Status.PENDING
        assert set(AuditEvent.objects.values_list("action", flat=True)) >= {"outbox.message.parked",
                                                                            "outbox.message.retried"}


class TestSubscriptions:
    def test_the_manager_registers_an_https_webhook_and_sees_its_deliveries(self, client, world):
        EnterpriseOperator.objects.filter(user=world.operator_a).update(is_manager=True)
        client.force_login(world.operator_a)
        url = reverse("outbox:enterprise_webhooks", args=[world.enterprise_a.pk])
        page = client.post(url, {"action": "add", "url": "http://hr.example.com/hook"}).content.decode()
        assert "接收地址必须以 https:// 开头。" in page
        page = client.post(url, {"action": "add", "url": "https://hr.example.com/hook"}).content.decode()
        subscription = Subscription.objects.get(enterprise=world.enterprise_a)
        assert subscription.secret in page
        assert subscription.secret not in client.get(url).content.decode()  # shown once

    @pytest.mark.parametrize("url", ["https://127.0.0.1/hook", "https://10.0.0.8/hook", "https://localhost/hook",
                                     "https://[::1]/hook"])
    def test_a_webhook_to_this_machine_or_a_private_network_is_refused(self, world, url):
        EnterpriseOperator.objects.filter(user=world.operator_a).update(is_manager=True)
        with pytest.raises(services.OutboxError, match="本机或内网"):
            services.register_subscription(actor=world.operator_a, enterprise=world.enterprise_a, url=url,
                                           now=clock.now())

    def test_an_operator_who_is_not_the_manager_cannot_register(self, client, world):
        with pytest.raises(services.OutboxError, match="只有本单位管理员"):
            services.register_subscription(actor=world.operator_a, enterprise=world.enterprise_a,
                                           url="https://x.example.com/", now=clock.now())

    def test_another_enterprises_page_answers_404(self, client, world):
        client.force_login(world.operator_b)
        assert client.get(reverse("outbox:enterprise_webhooks", args=[world.enterprise_a.pk])).status_code == 404


class TestReconciliation:
    def test_it_lists_registrations_the_platform_has_not_acknowledged_or_holds_differently(self, world):
        application = under_review(world, at(2026, 11, 2))
        workflow.approve_application(actor=world.reviewer, application=application, now=at(2026, 11, 6))
        application.refresh_from_db()
        number = application.registration.number
        assert f"{number}: 全国平台尚未确认收到" in differences()
        OutboxMessage.objects.filter(kind=Kind.NATIONAL).update(status=Status.DELIVERED)
        assert not any(line.startswith(number) for line in differences())
        application.registration.specialties.update(valid_to=at(2030, 1, 1).date())
        assert f"{number}: 与全国平台不一致（specialties）" in differences()
