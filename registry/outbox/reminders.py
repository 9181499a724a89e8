"""Reminders to reviewers of review deadlines that are due soon or overdue (once per deadline and flag)."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from registry.applications.deadlines import due_flag
from registry.applications.models import Application, ApplicationStatus
from registry.outbox.events import notify_user
from registry.people.models import Role, User
from registry.workcalendar.services import get_calendar

TEXTS = {
    "due_soon": "申请{ref}的审查期限{due}即将届满，请及时办理。",
    "overdue": "申请{ref}已超过审查期限{due}，请尽快办理。",
}


def remind_reviewers(*, now: datetime) -> int:
    """Notify every active reviewer of each application under review due soon or overdue; return how many."""
    today = timezone.localdate(now)
    calendar = get_calendar()
    reviewers = list(User.objects.filter(role=Role.REVIEWER, is_active=True))
    sent = 0
    for application in Application.objects.filter(status=ApplicationStatus.UNDER_REVIEW, due_on__isnull=False):
        flag = due_flag(today, application.due_on, calendar)
        if not flag:
            continue
        text = TEXTS[flag].format(ref=application.reference, due=application.due_on.strftime("%Y-%m-%d"))
        for reviewer in reviewers:
            # The key makes the reminder once per application, deadline, flag and reviewer.
            key = f"due:{application.pk}:{application.due_on.isoformat()}:{flag}:{reviewer.pk}"
            notify_user(reviewer, text=text, key=key, now=now, application=application,
                        open_while_status=ApplicationStatus.UNDER_REVIEW)
        sent += 1
    return sent
