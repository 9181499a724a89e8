"""Working-day arithmetic at the awkward dates, on the real 2026 schedule from chinesecalendar.

2026 facts used below (国务院办公厅, via chinesecalendar 1.11): 元旦 1-3 January with Sunday 4 January
worked; 中秋 25-27 September; 国庆 1-7 October with Sunday 20 September and Saturday 10 October worked.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.workdays import DayKind, WorkCalendar
from registry.workdays.seed import seed_calendar, seed_years

CAL = seed_calendar()


def test_the_seed_covers_2004_to_2026_and_not_2027():
    years = seed_years()
    assert min(years) == 2004
    assert max(years) == 2026
    assert CAL.has_data(2026)
    assert not CAL.has_data(2027)


def test_the_2026_national_day_schedule_is_as_published():
    holidays = [d.date for d in CAL.special_days(2026) if d.kind == DayKind.HOLIDAY and d.name == "国庆节"]
    assert holidays == [date(2026, 10, day) for day in range(1, 8)]
    worked = [d.date for d in CAL.special_days(2026) if d.kind == DayKind.WORKDAY]
    assert date(2026, 9, 20) in worked
    assert date(2026, 10, 10) in worked
    assert CAL.special_day(date(2026, 10, 10)).name == "国庆节调休上班"


def test_an_adjusted_working_sunday_is_a_working_day():
    assert date(2026, 9, 20).weekday() == 6
    assert CAL.is_workday(date(2026, 9, 20))


def test_a_holiday_on_a_weekday_is_not_a_working_day():
    assert not CAL.is_workday(date(2026, 10, 5))  # Monday
    assert not CAL.is_workday(date(2026, 9, 25))  # Friday, 中秋


def test_a_friday_submission_is_accepted_on_the_adjusted_sunday_and_the_monday():
    friday = date(2026, 9, 18)
    assert CAL.add_workdays(friday, 1) == date(2026, 9, 20)
    assert CAL.add_workdays(friday, 2) == date(2026, 9, 21)


def test_a_submission_on_the_last_day_before_national_day_skips_the_whole_holiday():
    wednesday = date(2026, 9, 30)
    assert CAL.add_workdays(wednesday, 1) == date(2026, 10, 8)
    assert CAL.add_workdays(wednesday, 2) == date(2026, 10, 9)


def test_a_ten_day_review_after_national_day_counts_the_adjusted_saturday():
    accepted = date(2026, 10, 9)
    # 10 Oct (Sat, worked) is 1; 12-16 Oct are 2-6; 19-22 Oct are 7-10.
    assert CAL.add_workdays(accepted, 10) == date(2026, 10, 22)


def test_the_day_itself_is_never_counted_even_when_it_is_a_working_day():
    assert CAL.add_workdays(date(2026, 11, 24), 1) == date(2026, 11, 25)
    assert CAL.add_workdays(date(2026, 11, 24), 0) == date(2026, 11, 24)
    assert CAL.add_workdays(date(2026, 10, 3), 0) == date(2026, 10, 3)


def test_workdays_between_counts_the_half_open_interval():
    assert CAL.workdays_between(date(2026, 9, 30), date(2026, 10, 9)) == 2
    assert CAL.workdays_between(date(2026, 9, 30), date(2026, 10, 31)) == 18  # October 2026
    assert CAL.workdays_between(date(2026, 10, 9), date(2026, 10, 9)) == 0
    assert CAL.workdays_between(date(2026, 10, 31), date(2026, 9, 30)) == -18


def test_next_workday_is_strictly_after_and_on_or_after_keeps_a_working_day():
    assert CAL.next_workday(date(2026, 9, 30)) == date(2026, 10, 8)
    assert CAL.next_workday(date(2026, 10, 8)) == date(2026, 10, 9)
    assert CAL.workday_on_or_after(date(2026, 10, 8)) == date(2026, 10, 8)
    assert CAL.workday_on_or_after(date(2026, 10, 3)) == date(2026, 10, 8)


def test_the_2025_to_2026_year_boundary_uses_the_new_year_holiday_and_the_worked_sunday():
    assert CAL.add_workdays(date(2025, 12, 31), 1) == date(2026, 1, 4)
    assert CAL.deadline(date(2025, 12, 31), 1).missing_years == ()


def test_31_december_2026_plus_one_working_day_falls_on_an_unpublished_new_years_day():
    result = CAL.deadline(date(2026, 12, 31), 1)
    assert result.due == date(2027, 1, 1)  # a Friday: weekends-only fallback
    assert result.missing_years == (2027,)
    assert result.is_estimate


def test_a_deadline_inside_2026_is_not_flagged():
    result = CAL.deadline(date(2026, 11, 24), 10)
    assert result.due == date(2026, 12, 8)
    assert not result.is_estimate


def test_a_review_deadline_reaching_into_2027_is_computed_and_flagged():
    result = CAL.deadline(date(2026, 12, 25), 10)
    assert result.due == date(2027, 1, 8)
    assert result.missing_years == (2027,)


def test_loading_2027_moves_the_deadline_and_clears_the_flag():
    with_2027 = CAL.with_year(2027, {date(2027, 1, 1): "元旦"}, {})
    result = with_2027.deadline(date(2026, 12, 31), 1)
    assert result.due == date(2027, 1, 4)
    assert not result.is_estimate
    assert CAL.deadline(date(2026, 12, 31), 1).due == date(2027, 1, 1)  # the original is unchanged


def test_years_without_data_lists_every_year_in_the_span_in_order():
    assert CAL.years_without_data(date(2026, 11, 24), date(2026, 12, 31)) == ()
    assert CAL.years_without_data(date(2028, 3, 1), date(2026, 11, 24)) == (2027, 2028)
    assert CAL.years_without_data(date(2003, 12, 31), date(2004, 1, 2)) == (2003,)


def test_an_empty_calendar_counts_weekends_only_and_flags_every_year():
    empty = WorkCalendar()
    assert empty.add_workdays(date(2026, 10, 1), 1) == date(2026, 10, 2)
    assert empty.deadline(date(2026, 10, 2), 1).due == date(2026, 10, 5)
    assert empty.deadline(date(2026, 10, 2), 1).missing_years == (2026,)


def test_it_refuses_a_date_that_is_both_holiday_and_working_day():
    with pytest.raises(ValueError, match="2027-01-02"):
        WorkCalendar({date(2027, 1, 2): "元旦"}, {date(2027, 1, 2): "调休"}, [2027])


def test_with_year_refuses_dates_of_another_year():
    with pytest.raises(ValueError, match="outside 2027"):
        CAL.with_year(2027, {date(2028, 1, 1): "元旦"}, {})


def test_it_refuses_a_datetime_so_that_an_instant_is_never_read_as_a_date():
    with pytest.raises(TypeError):
        CAL.is_workday(datetime(2026, 10, 1, 1, 0))


def test_it_refuses_a_negative_number_of_working_days():
    with pytest.raises(ValueError):
        CAL.add_workdays(date(2026, 10, 1), -1)


any_date = st.dates(min_value=date(2000, 1, 1), max_value=date(2035, 12, 31))
counts = st.integers(min_value=0, max_value=300)


@given(any_date, counts)
def test_counting_back_the_days_just_added_gives_the_same_number(d, n):
    assert CAL.workdays_between(d, CAL.add_workdays(d, n)) == n


@given(any_date, st.integers(min_value=1, max_value=300))
def test_the_result_of_adding_working_days_is_a_working_day_after_the_start(d, n):
    due = CAL.add_workdays(d, n)
    assert due > d
    assert CAL.is_workday(due)
    assert CAL.workdays_between(d, due - timedelta(days=1)) == n - 1


@given(any_date, counts, counts)
def test_adding_in_two_steps_equals_adding_at_once(d, m, n):
    assert CAL.add_workdays(CAL.add_workdays(d, m), n) == CAL.add_workdays(d, m + n)


@given(any_date, any_date, any_date)
def test_counts_over_adjacent_intervals_add_up(a, b, c):
    assert CAL.workdays_between(a, b) + CAL.workdays_between(b, c) == CAL.workdays_between(a, c)


@given(any_date)
def test_next_workday_is_the_first_working_day_strictly_after(d):
    nxt = CAL.next_workday(d)
    assert nxt > d and CAL.is_workday(nxt)
    assert CAL.workdays_between(d, nxt - timedelta(days=1)) == 0
    assert CAL.workday_on_or_after(d) in (d, nxt)


@given(any_date, counts)
def test_a_deadline_is_flagged_exactly_when_its_span_touches_a_year_without_data(d, n):
    result = CAL.deadline(d, n)
    touched = set(range((d + timedelta(days=1)).year, result.due.year + 1)) if n else set()
    assert set(result.missing_years) == {y for y in touched if not 2004 <= y <= 2026}
