"""Statutory working-day calendar: pure arithmetic over explicit holiday data (see ``core``)."""

from registry.workdays.core import DayKind, Deadline, SpecialDay, WorkCalendar, YearData

__all__ = ["Deadline", "DayKind", "SpecialDay", "WorkCalendar", "YearData"]
