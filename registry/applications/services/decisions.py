"""The 不予许可决定书: issued in the refusal's transaction, numbered per year, stored as issued."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings

from registry.applications.models import Application, RefusalDecision
from registry.applications.services.common import local_day, next_number

# 行政复议法 (2023) art. 20: 60 days from knowing of the decision; 行政诉讼法 art. 46: 6 months. A decision
# of a department of the municipal government is reconsidered by that government (行政复议法 art. 24).
RIGHTS_NOTICE = (
    "申请人如对本决定不服，可以自收到本决定书之日起六十日内，依照《中华人民共和国行政复议法》的规定向"
    "重庆市人民政府申请行政复议；也可以自收到本决定书之日起六个月内，依照《中华人民共和国行政诉讼法》"
    "的规定直接向有管辖权的人民法院提起行政诉讼。"
)


def document_number(year: int, serial: int) -> str:
    """Return the letter's number: 渝建二建不许〔2026〕0001号."""
    return f"渝建二建不许〔{year}〕{serial:04d}号"


def issue_refusal_decision(application: Application, *, reasons: list[str], now: datetime) -> RefusalDecision:
    """Number and store the letter of a refusal; call inside the refusal's transaction."""
    day = local_day(now)
    serial = next_number(f"refusal-decision-{day.year}")
    return RefusalDecision.objects.create(
        application=application, year=day.year, serial=serial, document_number=document_number(day.year, serial),
        authority_name=settings.AUTHORITY_NAME, applicant_name=application.person.name,
        applicant_id_masked=application.person.masked_id_number,
        employer_name=application.employer.name if application.employer_id else "",
        application_reference=application.reference,
        matter="二级建造师" + str(application.get_type_display())
        + (f"（{application.get_change_kind_display()}）" if application.change_kind else ""),
        specialties="、".join(application.specialty_names()),
        submitted_on=local_day(application.submitted_at) if application.submitted_at else None,
        accepted_on=local_day(application.accepted_at) if application.accepted_at else None,
        reasons=list(reasons), decided_on=day, rights_notice=RIGHTS_NOTICE, issued_at=now,
    )
