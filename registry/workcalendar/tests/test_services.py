"""The calendar in the database: seed, loading a year, the cache, the notice."""

from __future__ import annotations

from datetime import date

import pytest

from registry.audit.models import AuditEvent
from registry.workcalendar.models import CalendarYear, SpecialDay
from registry.workcalendar.services import (
    CalendarDataError,
    calendar_notice,
    get_calendar,
    load_year,
    seed_missing_years,
)
from registry.workdays.seed import seed_calendar

pytestmark = pytest.mark.django_db

NOTICE_2027 = "该期限涉及尚未发布节假日安排的年份（2027年），暂按周末计算，请管理员更新工作日历。"
# Test data only: the official 2027 schedule was not published when this was written.
HOLIDAYS_2027 = {date(2027, 1, 1): "元旦", date(2027, 2, 5): "春节", date(2027, 2, 8): "春节"}
WORKDAYS_2027 = {date(2027, 2, 7): "春节调休上班"}


@pytest.fixture
def admin_user(django_user_model):
    return django_user_model.objects.create_user(username="calendar-admin", password=None, is_staff=True)


def test_the_migration_seeds_every_year_chinesecalendar_knows():
    years = list(CalendarYear.objects.order_by("year").values_list("year", flat=True))
    assert years == list(range(2004, 2027))
    assert set(CalendarYear.objects.values_list("source", flat=True)) == {CalendarYear.Source.SEEDED}
    national_day = SpecialDay.objects.filter(date__year=2026, name="国庆节").values_list("date", flat=True)
    assert sorted(national_day) == [date(2026, 10, d) for d in range(1, 8)]


def test_the_database_calendar_equals_the_seed():
    calendar, seed = get_calendar(), seed_calendar()
    assert calendar.published_years == seed.published_years
    for year in (2004, 2020, 2026):
        assert calendar.special_days(year) == seed.special_days(year)
    assert calendar.add_workdays(date(2026, 9, 30), 2) == date(2026, 10, 9)


def test_loading_2027_changes_a_deadline_computed_before_and_clears_the_notice(admin_user):
    before = get_calendar().deadline(date(2026, 12, 31), 1)
    assert before.due == date(2027, 1, 1)
    assert calendar_notice(before.start, before.due) == NOTICE_2027

    load_year(2027, HOLIDAYS_2027, WORKDAYS_2027, actor=admin_user)

    after = get_calendar().deadline(date(2026, 12, 31), 1)
    assert after.due == date(2027, 1, 4)
    assert not after.is_estimate
    assert calendar_notice(after.start, after.due) is None
    assert get_calendar().is_workday(date(2027, 2, 7))  # the adjusted Sunday


def test_loading_a_year_records_who_and_writes_the_audit_log(admin_user):
    row = load_year(2027, HOLIDAYS_2027, WORKDAYS_2027, actor=admin_user, notes="测试数据")
    row.refresh_from_db()
    assert (row.source, row.published, row.updated_by, row.notes) == (
        CalendarYear.Source.ADMINISTRATOR,
        True,
        admin_user,
        "测试数据",
    )
    assert row.days.count() == 4
    event = AuditEvent.objects.get(action="workcalendar.year.loaded")
    assert event.actor == admin_user
    assert event.details["year"] == 2027 and event.details["holidays"] == 3


def test_loading_a_year_again_replaces_its_days():
    load_year(2027, HOLIDAYS_2027, WORKDAYS_2027)
    load_year(2027, {date(2027, 1, 1): "元旦"}, {})
    assert list(SpecialDay.objects.filter(date__year=2027).values_list("date", flat=True)) == [
        date(2027, 1, 1)
    ]
    assert not get_calendar().is_workday(date(2027, 1, 1))
    assert not get_calendar().is_workday(date(2027, 2, 7))  # the old adjusted Sunday is gone


def test_bad_data_saves_nothing_and_lists_every_problem():
    load_year(2027, HOLIDAYS_2027, WORKDAYS_2027)
    with pytest.raises(CalendarDataError) as info:
        load_year(2027, {date(2027, 1, 1): "元旦", date(2028, 1, 1): "元旦"}, {date(2027, 1, 4): "周一"})
    assert info.value.messages == [
        "日期2028-01-01不在2027年内。",
        "2027-01-04不是周六或周日，不能作为调休上班日。",
    ]
    assert SpecialDay.objects.filter(date__year=2027).count() == 4  # the earlier load is intact


def test_a_draft_year_does_not_count_until_published():
    load_year(2027, HOLIDAYS_2027, WORKDAYS_2027, published=False)
    assert get_calendar().add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 1)
    assert calendar_notice(date(2026, 12, 31), date(2027, 1, 1)) == NOTICE_2027
    CalendarYear.objects.get(year=2027).save()  # still a draft
    row = CalendarYear.objects.get(year=2027)
    row.published = True
    row.save(update_fields=["published"])
    assert get_calendar().add_workdays(date(2026, 12, 31), 1) == date(2027, 1, 4)


def test_editing_one_day_directly_reaches_the_cached_calendar():
    assert get_calendar().is_workday(date(2026, 12, 31))
    SpecialDay.objects.create(
        calendar_year=CalendarYear.objects.get(year=2026),
        date=date(2026, 12, 31),
        kind="holiday",
        name="测试",
    )
    assert not get_calendar().is_workday(date(2026, 12, 31))
    SpecialDay.objects.filter(date=date(2026, 12, 31)).delete()
    assert get_calendar().is_workday(date(2026, 12, 31))


def test_the_cached_calendar_is_reused_while_nothing_changes(django_assert_num_queries):
    first = get_calendar()
    with django_assert_num_queries(1):  # only the revision stamp
        assert get_calendar() is first


def test_deleting_a_year_falls_back_to_weekends_and_flags_it():
    CalendarYear.objects.filter(year=2026).delete()
    assert get_calendar().add_workdays(date(2026, 9, 30), 1) == date(2026, 10, 1)
    assert "2026年" in calendar_notice(date(2026, 9, 30), date(2026, 10, 1))


def test_the_notice_lists_several_missing_years():
    notice = calendar_notice(date(2026, 12, 1), date(2028, 1, 10))
    assert (
        notice == "该期限涉及尚未发布节假日安排的年份（2027年、2028年），暂按周末计算，请管理员更新工作日历。"
    )
    assert calendar_notice() is None


def test_seeding_adds_only_missing_years_and_keeps_the_administrators():
    CalendarYear.objects.filter(year=2005).delete()
    load_year(2006, {date(2006, 1, 2): "元旦"}, {})
    assert seed_missing_years() == [2005]
    assert CalendarYear.objects.get(year=2006).source == CalendarYear.Source.ADMINISTRATOR
    assert SpecialDay.objects.filter(date__year=2006).count() == 1


def test_the_template_tag_shows_the_notice_only_when_needed():
    from django.template import Context, Template

    template = Template("{% load workcalendar %}{% calendar_notice start due %}")
    assert template.render(Context({"start": date(2026, 12, 25), "due": date(2027, 1, 8)})) == NOTICE_2027
    assert template.render(Context({"start": date(2026, 11, 24), "due": date(2026, 12, 8)})) == ""
    assert template.render(Context({"start": date(2026, 11, 24), "due": None})) == ""
