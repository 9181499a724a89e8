"""Receivers that turn transition-log rows into outbox messages, inside the transaction that wrote them.

They listen to ``post_save`` of the append-only logs (ApplicationTransition, RegistrationTransition and,
when the certificates app provides it, CertificateTransition), so the services need not know the outbox.
Texts are short, Chinese, and never carry an ID number.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.utils import timezone

from registry.outbox.models import Kind, Notice
from registry.outbox.services import queue_message, queue_webhooks

PREFIX = "【重庆二建注册】"
SCHEMA = "cq-jzs-registry/1"


# --- notices -------------------------------------------------------------------------------------

def notify_user(user, *, text: str, key: str, now: datetime, application=None, open_while_status: str = "",
                mobile: str = "", subject: str = "") -> None:
    """Show a notice on the user's pages and send it by SMS and e-mail where the user has them."""
    if user is None:
        return
    Notice.objects.get_or_create(key=key, defaults={
        "user": user, "application": application, "text": text[:300], "open_while_status": open_while_status,
        "created_at": now,
    })
    if mobile:
        queue_message(kind=Kind.SMS, key=f"{key}:sms", destination=mobile, payload={"text": PREFIX + text}, now=now)
    if user.email:
        queue_message(kind=Kind.EMAIL, key=f"{key}:email", destination=user.email,
                      payload={"subject": subject or PREFIX.strip("【】") + "通知", "text": text}, now=now)


def _supplement_by(now: datetime) -> str:
    from registry.workcalendar.services import get_calendar

    day = get_calendar().add_workdays(timezone.localdate(now), settings.SUPPLEMENT_WORKDAYS)
    return f"{day.year}年{day.month}月{day.day}日"


def applicant_text(transition) -> tuple[str, str] | None:
    """Return (text, status the duty stays open in) of the applicant's notice for a transition, or None."""
    application = transition.application
    ref = application.reference
    status = transition.to_status
    if status == "returned":
        return f"您的申请{ref}已被聘用企业退回，原因：{transition.reason}。请修改后重新提交。", "returned"
    if status == "supplement":
        return (f"您的申请{ref}需补正材料：{transition.reason}。请于{_supplement_by(transition.at)}前登录系统补正。",
                "supplement")
    if status == "under_review" and transition.action == "accept":
        return f"您的申请{ref}已受理，受理凭证编号{application.receipt_number}。", ""
    if status == "approved":
        return f"您的申请{ref}已审批通过，准予注册。", ""
    if status == "refused":
        return f"您的申请{ref}不予注册，理由：{transition.reason}。", ""
    if status == "not_accepted":
        return f"您的申请{ref}未通过数据比对，不予受理。详情请登录系统查看。", ""
    if status == "completed":
        return f"您的注销申请{ref}已办结。", ""
    return None


def on_application_transition(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """Notify the applicant of a decision or a duty, and the employer of an application to confirm."""
    if not created or raw:
        return
    application = instance.application
    now = instance.at
    key = f"app-transition:{instance.pk}"
    if instance.to_status == "awaiting_employer" and instance.from_status != "awaiting_employer":
        _notify_confirming_operators(application, key=key, now=now)
        return
    found = applicant_text(instance)
    if found is None:
        return
    text, open_while = found
    person = application.person
    notify_user(person.user, text=text, key=key, now=now, application=application, open_while_status=open_while,
                mobile=person.mobile)


def _notify_confirming_operators(application, *, key: str, now: datetime) -> None:
    from registry.people.models import EnterpriseOperator

    text = f"{application.person.name}的{application.get_type_display()}申请{application.reference}待本单位确认。"
    links = EnterpriseOperator.objects.filter(enterprise_id=application.employer_id, can_confirm=True,
                                              user__is_active=True).select_related("user")
    for link in links:
        notify_user(link.user, text=text, key=f"{key}:op{link.user_id}", now=now, application=application,
                    open_while_status="awaiting_employer")


# --- the national platform and employer webhooks ---------------------------------------------------

def registration_snapshot(registration) -> dict:
    """Return what the national platform holds of a registration: no more personal data than it needs."""
    person = registration.person
    employer = registration.employer
    return {
        "registration_number": registration.number,
        "status": registration.status,
        "name": person.name,
        "id_number": person.id_number,
        "employer": {"credit_code": employer.credit_code, "name": employer.name},
        "specialties": [
            {"code": s.specialty, "status": s.status, "valid_from": s.valid_from.isoformat(),
             "valid_to": s.valid_to.isoformat()}
            for s in registration.specialties.order_by("specialty")
        ],
    }


WEBHOOK_EVENTS = {"registered": "registration.registered", "reregistered": "registration.registered",
                  "cancelled": "registration.cancelled"}


def on_registration_transition(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """Queue the national message of a registration change and the employer's webhook deliveries."""
    if not created or raw:
        return
    registration = type(instance.registration).objects.select_related("person", "employer").get(
        pk=instance.registration_id)
    snapshot = registration_snapshot(registration)
    key = f"registration-transition:{instance.pk}"
    queue_message(kind=Kind.NATIONAL, key=f"national:{key}", now=instance.at, registration_id=registration.pk,
                  payload={"schema": SCHEMA, "type": "registration", "event": instance.action,
                           "sequence": instance.pk, "occurred_at": instance.at.isoformat(), "registration": snapshot})
    public = {k: v for k, v in snapshot.items() if k != "id_number"}
    queue_webhooks(enterprise_id=registration.employer_id, event=WEBHOOK_EVENTS.get(instance.action,
                   "registration.changed"), data=public, key=f"webhook:{key}", now=instance.at,
                   registration_id=registration.pk)
    former = (instance.details or {}).get("from_employer_id")
    if instance.action == "changed_employer" and former:
        _notify_former_employer(registration, enterprise_id=former, key=key, now=instance.at)


def _notify_former_employer(registration, *, enterprise_id: int, key: str, now: datetime) -> None:
    """Tell the operators of the employer a registered person left that the person is off its staff.

    Not where the person went: that is the new employer's and the person's business.
    """
    from registry.people.models import EnterpriseOperator

    text = (f"本单位注册人员{registration.person.name}（注册编号{registration.number}）已变更执业企业，"
            "不再是本单位注册人员。")
    links = EnterpriseOperator.objects.filter(enterprise_id=enterprise_id, user__is_active=True).select_related("user")
    for link in links:
        notify_user(link.user, text=text, key=f"{key}:former-op{link.user_id}", now=now)


def on_certificate_transition(sender, instance, created: bool, raw: bool = False, **kwargs) -> None:
    """Queue the national message, the holder's notice and the webhooks of a certificate change."""
    if not created or raw:
        return
    certificate = instance.certificate
    registration = certificate.registration
    status, now = instance.to_status, instance.at
    key = f"certificate-transition:{instance.pk}"
    number = certificate.number
    data = {"certificate_number": number, "status": status, "registration_number": registration.number}
    queue_message(kind=Kind.NATIONAL, key=f"national:{key}", now=now, registration_id=registration.pk,
                  payload={"schema": SCHEMA, "type": "certificate", "event": status,
                           "sequence": instance.pk, "occurred_at": now.isoformat(), "certificate": data})
    queue_webhooks(enterprise_id=registration.employer_id, event=f"certificate.{status}", data=data,
                   key=f"webhook:{key}", now=now, registration_id=registration.pk)
    texts = {"valid": f"您的电子注册证书{number}已签发，可登录系统下载。",
             "cancelled": f"您的电子注册证书{number}已注销。",
             "superseded": f"您的电子注册证书{number}已被新证书替代。"}
    if status in texts:
        person = registration.person
        notify_user(person.user, text=texts[status], key=key, now=now, mobile=person.mobile)
