"""Reading an application's history: the steps the applicant and the employer see on its page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from registry.applications.models import Application
from registry.people.models import Role


@dataclass(frozen=True)
class TimelineStep:
    at: datetime
    label: str
    actor: str
    reason: str


ACTION_LABELS = {
    "create": _("创建申请"),
    "submit": _("申请人提交，等待聘用企业确认"),
    "return": _("聘用企业退回修改"),
    "confirm": _("聘用企业确认，已上报市住房城乡建委"),
    "compared": _("数据比对通过，等待受理"),
    "not_accept": _("数据比对未通过，不予受理"),
    "accept": _("已受理，出具受理凭证"),
    "request_supplement": _("审批人员要求补正材料（审查期限暂停）"),
    "resubmit_supplement": _("申请人已补正材料（审查期限恢复）"),
    "approve": _("审批通过，准予注册"),
    "refuse": _("不予注册"),
    "complete_cancellation": _("聘用企业确认，注销完成"),
    "withdraw": _("申请人撤回申请"),
}


def timeline(application: Application) -> list[TimelineStep]:
    """Return the application's history as the steps people read."""
    steps = []
    for t in application.transitions.select_related("actor").all():
        who = ""
        if t.actor is not None:
            who = {Role.APPLICANT: _("申请人"), Role.ENTERPRISE: _("聘用企业"), Role.REVIEWER: _("审批人员")}.get(
                t.actor.role, _("工作人员"))
        elif t.action in {"compared", "not_accept", "accept"}:
            who = _("系统")
        steps.append(TimelineStep(t.at, str(ACTION_LABELS.get(t.action, t.action)), str(who), t.reason))
    return steps
