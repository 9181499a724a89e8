"""The text format an administrator uses to load a year."""

from __future__ import annotations

from datetime import date

import pytest

from registry.workdays import DayKind
from registry.workdays.seed import seed_calendar
from registry.workdays.textformat import CalendarFileError, format_year_file, parse_year_file

GOOD = """\
# 2027 (test data, not the official schedule)
2027-01-01 holiday 元旦

2027-02-06 workday 春节调休上班
2027-02-08 HOLIDAY 春节
2027-02-09 holiday
"""


def test_it_reads_holidays_and_adjusted_working_days_with_names():
    data = parse_year_file(GOOD)
    assert data.year == 2027
    assert data.holidays == {date(2027, 1, 1): "元旦", date(2027, 2, 8): "春节", date(2027, 2, 9): ""}
    assert data.workdays == {date(2027, 2, 6): "春节调休上班"}


def test_it_reports_every_bad_line_with_its_number_in_chinese():
    text = """\
2027-01-01 holiday 元旦
2027-13-01 holiday 错误
2027-01-04 workday 周一
2028-01-01 holiday 元旦
2027-01-01 holiday 重复
2027-02-07 rest 春节
nonsense
"""
    with pytest.raises(CalendarFileError) as info:
        parse_year_file(text)
    assert [(e.line, e.code) for e in info.value.errors] == [
        (2, "date"),
        (3, "weekday_workday"),
        (4, "year"),
        (5, "duplicate"),
        (6, "kind"),
        (7, "fields"),
    ]
    assert info.value.errors[0].message == "第2行：日期“2027-13-01”无效，应为YYYY-MM-DD"
    assert "不在2027年" in info.value.errors[2].message


def test_it_refuses_a_file_with_no_days():
    with pytest.raises(CalendarFileError) as info:
        parse_year_file("# nothing\n\n")
    assert info.value.errors[0].code == "empty"


def test_it_refuses_dates_outside_the_year_asked_for():
    with pytest.raises(CalendarFileError):
        parse_year_file("2027-01-01 holiday 元旦\n", year=2028)


def test_a_published_year_written_out_reads_back_the_same():
    calendar = seed_calendar()
    data = parse_year_file(format_year_file(calendar.special_days(2026)))
    assert data.holidays == {d.date: d.name for d in calendar.special_days(2026) if d.kind == DayKind.HOLIDAY}
    assert data.workdays == {d.date: d.name for d in calendar.special_days(2026) if d.kind == DayKind.WORKDAY}
