"""Read and write one year's calendar as plain text lines, with no Django import.

Format, one special day a line::

    # comments and blank lines are ignored
    2027-01-01 holiday 元旦
    2027-02-07 workday 春节调休上班

The date is ISO (YYYY-MM-DD); the kind is ``holiday`` (statutory holiday) or ``workday`` (adjusted
working day on a weekend); the name is optional free text. Every date must lie in one and the same
year, appear once, and every ``workday`` must be a Saturday or Sunday. All problems are collected and
reported together with their line numbers; nothing is returned when there is any.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from registry.workdays.core import DayKind, SpecialDay, YearData


def gettext_noop(message: str) -> str:
    """Return the message unchanged; marks it for extraction without importing Django."""
    return message


MESSAGES = {
    "fields": gettext_noop("第%(line)d行：应为“日期 类型 名称”，例如“2027-01-01 holiday 元旦”"),
    "date": gettext_noop("第%(line)d行：日期“%(value)s”无效，应为YYYY-MM-DD"),
    "kind": gettext_noop("第%(line)d行：类型“%(value)s”无效，应为holiday（节假日）或workday（调休上班日）"),
    "duplicate": gettext_noop("第%(line)d行：日期%(value)s重复"),
    "weekday_workday": gettext_noop("第%(line)d行：%(value)s不是周六或周日，不能作为调休上班日"),
    "year": gettext_noop("第%(line)d行：日期%(value)s不在%(year)d年"),
    "empty": gettext_noop("文件中没有任何节假日或调休上班日"),
    "name": gettext_noop("第%(line)d行：名称过长（最多50个字）"),
}
NAME_MAX_LENGTH = 50


@dataclass(frozen=True)
class LineError:
    """One problem in the file; ``message`` is a Chinese sentence with the line number filled in."""

    line: int
    code: str
    message: str
    params: dict = field(default_factory=dict)  # the values in the message, for translating it again


class CalendarFileError(ValueError):
    """Raised with every problem found in a calendar file."""

    def __init__(self, errors: list[LineError]) -> None:
        self.errors = errors
        super().__init__("\n".join(e.message for e in errors))


def _error(line: int, code: str, **values: object) -> LineError:
    params = {"line": line, **values}
    return LineError(line, code, MESSAGES[code] % params, params)


def parse_year_file(text: str, *, year: int | None = None) -> YearData:
    """Parse one year's special days; infer the year from the first date unless it is given."""
    errors: list[LineError] = []
    holidays: dict[date, str] = {}
    workdays: dict[date, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        parts = line.split(maxsplit=2)
        if len(parts) < 2:
            errors.append(_error(number, "fields"))
            continue
        value, kind = parts[0], parts[1].lower()
        name = parts[2].strip() if len(parts) == 3 else ""
        try:
            d = date.fromisoformat(value)
            if len(value) != 10:
                raise ValueError(value)
        except ValueError:
            errors.append(_error(number, "date", value=value))
            continue
        if kind not in (DayKind.HOLIDAY, DayKind.WORKDAY):
            errors.append(_error(number, "kind", value=parts[1]))
            continue
        if len(name) > NAME_MAX_LENGTH:
            errors.append(_error(number, "name"))
            continue
        if year is None:
            year = d.year
        if d.year != year:
            errors.append(_error(number, "year", value=value, year=year))
            continue
        if d in holidays or d in workdays:
            errors.append(_error(number, "duplicate", value=value))
            continue
        if kind == DayKind.WORKDAY and d.weekday() < 5:
            errors.append(_error(number, "weekday_workday", value=value))
            continue
        (holidays if kind == DayKind.HOLIDAY else workdays)[d] = name
    if not errors and not holidays and not workdays:
        errors.append(LineError(0, "empty", MESSAGES["empty"]))
    if errors:
        raise CalendarFileError(errors)
    assert year is not None
    return YearData(year, holidays, workdays)


def format_year_file(days: Iterable[SpecialDay]) -> str:
    """Return the special days as lines that ``parse_year_file`` reads back."""
    return "".join(f"{d.date.isoformat()} {d.kind.value} {d.name}".rstrip() + "\n" for d in sorted(days))
