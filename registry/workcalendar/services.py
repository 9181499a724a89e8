"""Use cases of the working-day calendar: read it for deadline arithmetic, load a year, seed years.

``get_calendar()`` is what the rest of the product calls. It returns a pure ``WorkCalendar`` built
from the published years in the database, cached in the process and reloaded when any year's
revision changes (one small query per call to compare).
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from registry.audit.log import log_action
from registry.workcalendar.models import CalendarYear, SpecialDay
from registry.workdays import DayKind, WorkCalendar
from registry.workdays.seed import seed_source, seed_years


class CalendarDataError(ValueError):
    """Raised when a year's data cannot be saved; ``messages`` are Chinese sentences."""

    def __init__(self, messages: list[str]) -> None:
        self.messages = messages
        super().__init__("\n".join(messages))


_lock = threading.Lock()
_cached: tuple[frozenset, WorkCalendar] | None = None


def _stamp() -> frozenset:
    return frozenset(CalendarYear.objects.values_list("year", "revision"))


def get_calendar() -> WorkCalendar:
    """Return the calendar of every published year, reloading it when the database changed."""
    global _cached
    # Read the stamp before the data: if a change lands in between, the data is newer than the
    # stamp and the next call reloads, never the other way round.
    stamp = _stamp()
    cached = _cached
    if cached is not None and cached[0] == stamp:
        return cached[1]
    published = set(CalendarYear.objects.filter(published=True).values_list("year", flat=True))
    holidays: dict[date, str] = {}
    workdays: dict[date, str] = {}
    rows = SpecialDay.objects.filter(calendar_year__published=True).values_list("date", "kind", "name")
    for day, kind, name in rows:
        (holidays if kind == SpecialDay.Kind.HOLIDAY else workdays)[day] = name
    calendar = WorkCalendar(holidays, workdays, published)
    with _lock:
        _cached = (stamp, calendar)
    return calendar


def clear_calendar_cache() -> None:
    """Forget the cached calendar (for tests that edit rows behind the services' back)."""
    global _cached
    with _lock:
        _cached = None


def _validate(year: int, holidays: Mapping[date, str], workdays: Mapping[date, str]) -> list[str]:
    errors = []
    if not 2000 <= year <= 2100:
        errors.append(_("年份%(year)d超出范围（2000—2100）。") % {"year": year})
    for day in sorted({*holidays, *workdays}):
        if day.year != year:
            errors.append(_("日期%(date)s不在%(year)d年内。") % {"date": day.isoformat(), "year": year})
    for day in sorted(holidays.keys() & workdays.keys()):
        errors.append(_("日期%(date)s不能既是节假日又是调休上班日。") % {"date": day.isoformat()})
    for day in sorted(workdays):
        if day.weekday() < 5:
            errors.append(_("%(date)s不是周六或周日，不能作为调休上班日。") % {"date": day.isoformat()})
    for day, name in sorted({**holidays, **workdays}.items()):
        if len(name) > 50:
            errors.append(_("%(date)s的名称过长（最多50个字）。") % {"date": day.isoformat()})
    return errors


def load_year(
    year: int,
    holidays: Mapping[date, str],
    workdays: Mapping[date, str],
    *,
    actor=None,
    source: str = CalendarYear.Source.ADMINISTRATOR,
    published: bool = True,
    notes: str | None = None,
) -> CalendarYear:
    """Replace a year's holidays and adjusted working days in one transaction, and log it.

    Nothing is saved when any date is wrong; ``CalendarDataError`` lists every problem. ``notes``
    left as None keeps the existing notes.
    """
    errors = _validate(year, holidays, workdays)
    if errors:
        raise CalendarDataError(errors)
    with transaction.atomic():
        calendar_year, created = CalendarYear.objects.select_for_update().get_or_create(
            year=year, defaults={"source": source, "published": published, "notes": notes or ""}
        )
        replaced = 0 if created else calendar_year.days.count()
        if not created:
            calendar_year.days.all().delete()
        calendar_year.source = source
        calendar_year.published = published
        if notes is not None:
            calendar_year.notes = notes
        calendar_year.updated_by = actor if getattr(actor, "pk", None) else None
        calendar_year.save()
        SpecialDay.objects.bulk_create(
            [
                SpecialDay(calendar_year=calendar_year, date=d, kind=DayKind.HOLIDAY, name=n)
                for d, n in holidays.items()
            ]
            + [
                SpecialDay(calendar_year=calendar_year, date=d, kind=DayKind.WORKDAY, name=n)
                for d, n in workdays.items()
            ]
        )
        log_action(
            "workcalendar.year.loaded",
            actor=actor,
            target=calendar_year,
            details={
                "year": year,
                "source": source,
                "published": published,
                "holidays": len(holidays),
                "workdays": len(workdays),
                "replaced_days": replaced,
            },
        )
    return calendar_year


def seed_missing_years(*, actor=None) -> list[int]:
    """Add every year the chinesecalendar package knows that the database lacks; return them.

    Years already present, seeded or entered by the administrator, are left alone.
    """
    present = set(CalendarYear.objects.values_list("year", flat=True))
    added = []
    for year, data in seed_years().items():
        if year in present:
            continue
        load_year(
            year,
            data.holidays,
            data.workdays,
            actor=actor,
            source=CalendarYear.Source.SEEDED,
            notes=seed_source(),
        )
        added.append(year)
    return added


def missing_years_notice(years: tuple[int, ...] | list[int]) -> str | None:
    """Return the sentence asking for a calendar update for these years, or None when there are none."""
    if not years:
        return None
    listed = "、".join(_("%(year)d年") % {"year": y} for y in sorted(years))
    return _("该期限涉及尚未发布节假日安排的年份（%(years)s），暂按周末计算，请管理员更新工作日历。") % {
        "years": listed
    }


def calendar_notice(*dates: date, calendar: WorkCalendar | None = None) -> str | None:
    """Return the notice for a deadline whose dates touch a year without a published calendar.

    Pass the dates the deadline was computed from and to (e.g. submission and due date); every year
    from the earliest to the latest is checked. Return None when all of them are published.
    """
    if not dates:
        return None
    calendar = calendar or get_calendar()
    return missing_years_notice(calendar.years_without_data(min(dates), max(dates)))
