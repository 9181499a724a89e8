"""Export the holiday schedules that the chinesecalendar package knows, as seed data.

The package stops at the last schedule published when it was released (2026 for 1.11); later years
are loaded by the administrator. Names are given in Chinese: holidays by their festival name
(e.g. 国庆节), adjusted working days as "<festival>调休上班".
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from chinese_calendar import constants

from registry.workdays.core import WorkCalendar, YearData

_CHINESE_NAMES = {holiday.value: holiday.chinese for holiday in constants.Holiday}
WORKDAY_SUFFIX = "调休上班"


def seed_source() -> str:
    """Return a label naming the package and version the seed comes from."""
    try:
        return f"chinesecalendar {version('chinesecalendar')}"
    except PackageNotFoundError:  # pragma: no cover - installed from source
        return "chinesecalendar"


def _chinese(name: str) -> str:
    return _CHINESE_NAMES.get(name, name)


def seed_years() -> dict[int, YearData]:
    """Return every year the chinesecalendar package knows, keyed by year."""
    years: dict[int, YearData] = {}
    for d, name in constants.holidays.items():
        years.setdefault(d.year, YearData(d.year)).holidays[d] = _chinese(name)
    for d, name in constants.workdays.items():
        years.setdefault(d.year, YearData(d.year)).workdays[d] = _chinese(name) + WORKDAY_SUFFIX
    return dict(sorted(years.items()))


def seed_calendar() -> WorkCalendar:
    """Return a calendar of all seed years, each marked as published."""
    years = seed_years()
    holidays = {d: n for y in years.values() for d, n in y.holidays.items()}
    workdays = {d: n for y in years.values() for d, n in y.workdays.items()}
    return WorkCalendar(holidays, workdays, years)
