"""Statutory working-day arithmetic over an explicit calendar, with no Django import.

A day is a working day when it is an adjusted working day (调休上班), or else when it is a Monday to
Friday that is not a statutory holiday. For a year with no published calendar the same rule runs on
empty data, which leaves weekends only; results that touch such a year say so (``missing_years``)
instead of failing, so a page can ask the administrator to load the year.

Conventions, shared by every function here:

- ``add_workdays(d, n)`` is the n-th working day strictly after ``d``; ``d`` itself is never counted,
  whether or not it is a working day. ``add_workdays(d, 0) == d``.
- ``workdays_between(a, b)`` counts the working days in the half-open interval ``(a, b]``: ``a`` is
  excluded, ``b`` included. It is negative when ``b < a``. So for n >= 1,
  ``workdays_between(d, add_workdays(d, n)) == n``.
- ``next_workday(d)`` is the first working day strictly after ``d`` (the same as ``add_workdays(d, 1)``);
  ``workday_on_or_after(d)`` is ``d`` itself when it is a working day, else ``next_workday(d)``.

All inputs are ``datetime.date`` values in Asia/Shanghai; nothing here reads the clock. A
``datetime`` is refused, so that a time-zone-aware instant is never compared as a UTC date by mistake.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum

ONE_DAY = timedelta(days=1)


class DayKind(StrEnum):
    HOLIDAY = "holiday"  # statutory holiday, no work even on a weekday
    WORKDAY = "workday"  # adjusted working day (调休), work even on a weekend


@dataclass(frozen=True, order=True)
class SpecialDay:
    """A date whose status differs from the plain weekday rule, or a holiday falling on a weekend."""

    date: date
    kind: DayKind
    name: str = ""


@dataclass(frozen=True)
class YearData:
    """One year's statutory holidays and adjusted working days, each date with a name."""

    year: int
    holidays: dict[date, str] = field(default_factory=dict)
    workdays: dict[date, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Deadline:
    """The result of counting working days forward, and whether it rests on missing calendar years."""

    start: date
    workdays: int
    due: date
    missing_years: tuple[int, ...] = ()

    @property
    def is_estimate(self) -> bool:
        """Return whether a year without published data was counted on weekends only."""
        return bool(self.missing_years)


def _check_date(value: object) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise TypeError(f"expected a datetime.date, got {type(value).__name__}")
    return value


def _as_mapping(days: Mapping[date, str] | Iterable[date]) -> dict[date, str]:
    if isinstance(days, Mapping):
        return {_check_date(d): str(name) for d, name in days.items()}
    return {_check_date(d): "" for d in days}


class WorkCalendar:
    """An immutable calendar of statutory holidays and adjusted working days."""

    __slots__ = ("_holidays", "_workdays", "_published_years")

    def __init__(
        self,
        holidays: Mapping[date, str] | Iterable[date] = (),
        workdays: Mapping[date, str] | Iterable[date] = (),
        published_years: Iterable[int] = (),
    ) -> None:
        """Build a calendar; ``published_years`` lists the years whose holiday schedule is known."""
        self._holidays = _as_mapping(holidays)
        self._workdays = _as_mapping(workdays)
        both = sorted(self._holidays.keys() & self._workdays.keys())
        if both:
            raise ValueError(f"dates both holiday and adjusted working day: {', '.join(map(str, both))}")
        self._published_years = frozenset(int(y) for y in published_years)

    def __repr__(self) -> str:
        years = sorted(self._published_years)
        span = f"{years[0]}-{years[-1]}" if years else "none"
        return (
            f"<WorkCalendar published={span} holidays={len(self._holidays)} workdays={len(self._workdays)}>"
        )

    # -- data ---------------------------------------------------------------------------------------

    @property
    def published_years(self) -> frozenset[int]:
        """Return the years whose holiday schedule is part of this calendar."""
        return self._published_years

    def has_data(self, year: int) -> bool:
        """Return whether the year's holiday schedule is known."""
        return year in self._published_years

    def special_day(self, d: date) -> SpecialDay | None:
        """Return the holiday or adjusted working day on this date, if any."""
        _check_date(d)
        if d in self._holidays:
            return SpecialDay(d, DayKind.HOLIDAY, self._holidays[d])
        if d in self._workdays:
            return SpecialDay(d, DayKind.WORKDAY, self._workdays[d])
        return None

    def special_days(self, year: int) -> list[SpecialDay]:
        """Return the year's holidays and adjusted working days in date order."""
        days = [SpecialDay(d, DayKind.HOLIDAY, n) for d, n in self._holidays.items() if d.year == year]
        days += [SpecialDay(d, DayKind.WORKDAY, n) for d, n in self._workdays.items() if d.year == year]
        return sorted(days)

    def with_year(
        self,
        year: int,
        holidays: Mapping[date, str] | Iterable[date],
        workdays: Mapping[date, str] | Iterable[date],
    ) -> WorkCalendar:
        """Return a new calendar with the year's data replaced and the year marked as published."""
        new_holidays = _as_mapping(holidays)
        new_workdays = _as_mapping(workdays)
        stray = sorted(d for d in (*new_holidays, *new_workdays) if d.year != year)
        if stray:
            raise ValueError(f"dates outside {year}: {', '.join(map(str, stray))}")
        kept_holidays = {d: n for d, n in self._holidays.items() if d.year != year}
        kept_workdays = {d: n for d, n in self._workdays.items() if d.year != year}
        return WorkCalendar(
            {**kept_holidays, **new_holidays},
            {**kept_workdays, **new_workdays},
            self._published_years | {year},
        )

    def years_without_data(self, d1: date, d2: date) -> tuple[int, ...]:
        """Return, in order, the years from the earlier to the later date (both included) with no data."""
        low, high = sorted((_check_date(d1), _check_date(d2)))
        return tuple(y for y in range(low.year, high.year + 1) if y not in self._published_years)

    # -- arithmetic ---------------------------------------------------------------------------------

    def is_workday(self, d: date) -> bool:
        """Return whether the date is a working day (weekends only for a year with no data)."""
        _check_date(d)
        if d in self._workdays:
            return True
        if d in self._holidays:
            return False
        return d.weekday() < 5

    def add_workdays(self, d: date, n: int) -> date:
        """Return the n-th working day strictly after ``d`` (``d`` itself is not counted; n = 0 gives ``d``)."""
        _check_date(d)
        if n < 0:
            raise ValueError("n must be zero or positive")
        current = d
        while n > 0:
            current += ONE_DAY
            if self.is_workday(current):
                n -= 1
        return current

    def deadline(self, start: date, n: int) -> Deadline:
        """Return ``add_workdays(start, n)`` with the years without data that the count passed through."""
        due = self.add_workdays(start, n)
        missing = self.years_without_data(start + ONE_DAY, due) if due > start else ()
        return Deadline(start=start, workdays=n, due=due, missing_years=missing)

    def workdays_between(self, a: date, b: date) -> int:
        """Return the number of working days in ``(a, b]``; negative when ``b`` is before ``a``."""
        _check_date(a)
        _check_date(b)
        if b < a:
            return -self.workdays_between(b, a)
        count = 0
        current = a
        while current < b:
            current += ONE_DAY
            if self.is_workday(current):
                count += 1
        return count

    def next_workday(self, d: date) -> date:
        """Return the first working day strictly after ``d``."""
        return self.add_workdays(d, 1)

    def workday_on_or_after(self, d: date) -> date:
        """Return ``d`` when it is a working day, else the first working day after it."""
        return d if self.is_workday(d) else self.next_workday(d)
