"""Seed every year the installed chinesecalendar package knows (2004-2026 for version 1.11).

Later package versions are picked up by ``manage.py workdays seed``, which adds missing years only.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from registry.workdays.seed import seed_source, seed_years

    CalendarYear = apps.get_model("workcalendar", "CalendarYear")
    SpecialDay = apps.get_model("workcalendar", "SpecialDay")
    present = set(CalendarYear.objects.values_list("year", flat=True))
    days = []
    for year, data in seed_years().items():
        if year in present:
            continue
        row = CalendarYear.objects.create(year=year, source="seeded", published=True, notes=seed_source())
        days += [
            SpecialDay(calendar_year=row, date=d, kind="holiday", name=n) for d, n in data.holidays.items()
        ]
        days += [
            SpecialDay(calendar_year=row, date=d, kind="workday", name=n) for d, n in data.workdays.items()
        ]
    SpecialDay.objects.bulk_create(days)


def unseed(apps, schema_editor):
    apps.get_model("workcalendar", "CalendarYear").objects.filter(source="seeded").delete()


class Migration(migrations.Migration):
    dependencies = [("workcalendar", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
