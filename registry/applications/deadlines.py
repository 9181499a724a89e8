"""Deadline arithmetic of the workflow on the statutory working-day calendar.

The only module of this app that talks to the calendar, so the rules live in one place:
acceptance on the 2nd working day after submission, a decision 10 working days after acceptance
(3 for a change), and a review clock that stops while supplementary material is awaited.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings

from registry.workcalendar.services import calendar_notice, get_calendar
from registry.workdays.core import WorkCalendar


def acceptance_day(submitted_on: date) -> date:
    """Return the day a submission passing the comparison is accepted: the 2nd working day after it."""
    return get_calendar().add_workdays(submitted_on, settings.ACCEPT_ON_WORKDAY)


def review_workdays(application_type: str) -> int:
    """Return the working days a reviewer has to decide an application of this type."""
    return settings.REVIEW_WORKDAYS_CHANGE if application_type == "change" else settings.REVIEW_WORKDAYS


def review_due(accepted_on: date, application_type: str) -> date:
    """Return the last day for the decision on an application accepted on accepted_on."""
    return get_calendar().add_workdays(accepted_on, review_workdays(application_type))


def workdays_left(today: date, due_on: date, calendar: WorkCalendar | None = None) -> int:
    """Return how many working days remain after today up to and including due_on (0 when past)."""
    if due_on <= today:
        return 0
    return (calendar or get_calendar()).workdays_between(today, due_on)


def resume_due(resumed_on: date, workdays_left_when_paused: int) -> date:
    """Return the new deadline when the review clock restarts with the days it had left."""
    return get_calendar().add_workdays(resumed_on, max(workdays_left_when_paused, 0))


def due_flag(today: date, due_on: date | None, calendar: WorkCalendar | None = None) -> str:
    """Return 'overdue', 'due_soon' or '' for a deadline seen on `today` (pass the calendar in loops)."""
    if due_on is None:
        return ""
    if due_on < today:
        return "overdue"
    if workdays_left(today, due_on, calendar) <= settings.DUE_SOON_WORKDAYS:
        return "due_soon"
    return ""


def deadline_notice(*days: date | None, calendar: WorkCalendar | None = None) -> str | None:
    """Return the warning to show when a deadline was computed in a year without a published calendar."""
    return calendar_notice(*[d for d in days if d is not None], calendar=calendar)
