"""Compute with and maintain the working-day calendar from the shell.

    manage.py workdays add 2026-12-31 1          # the 1st working day after the date
    manage.py workdays between 2026-09-30 2026-10-09   # working days in (a, b]
    manage.py workdays list 2026                 # the year's special days, in the load format
    manage.py workdays load 2027.txt [--draft] [--notes TEXT] [--actor USERNAME]
    manage.py workdays seed                      # add years chinesecalendar knows and the table lacks

Each answer is on the first line (a date or a count); a notice about years without a published
calendar follows on its own line. ``load`` reads the format of ``registry.workdays.textformat``
("2027-01-01 holiday 元旦", "2027-02-07 workday 春节调休上班", # comments); nothing is saved when any
line is wrong. ``list`` prints the same format, so its output can be edited and loaded back.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from registry.workcalendar.models import CalendarYear
from registry.workcalendar.services import (
    CalendarDataError,
    get_calendar,
    load_year,
    missing_years_notice,
    seed_missing_years,
)
from registry.workdays import DayKind, SpecialDay
from registry.workdays.core import ONE_DAY
from registry.workdays.textformat import MESSAGES, CalendarFileError, format_year_file, parse_year_file


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(_("日期“%(value)s”无效，应为YYYY-MM-DD。") % {"value": value}) from None


class Command(BaseCommand):
    help = "Compute with and maintain the statutory working-day calendar."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="print the N-th working day after DATE (DATE itself not counted)")
        add.add_argument("date")
        add.add_argument("n", type=int)
        between = sub.add_parser("between", help="print the number of working days in (A, B]")
        between.add_argument("a")
        between.add_argument("b")
        listing = sub.add_parser("list", help="print a year's holidays and adjusted working days")
        listing.add_argument("year", type=int)
        load = sub.add_parser("load", help="replace one year's data from a file ('-' reads standard input)")
        load.add_argument("file")
        load.add_argument("--draft", action="store_true", help="save the year unpublished")
        load.add_argument("--notes", default=None, help="e.g. the State Council notice number")
        load.add_argument("--actor", default=None, help="username recorded as having loaded it")
        sub.add_parser("seed", help="add the years chinesecalendar knows that the table lacks")

    def handle(self, *args, **options) -> None:
        getattr(self, f"handle_{options['action']}")(options)

    def _notice(self, years: tuple[int, ...]) -> None:
        notice = missing_years_notice(years)
        if notice:
            self.stdout.write(notice)

    def handle_add(self, options: dict) -> None:
        start, n = _date(options["date"]), options["n"]
        if n < 0:
            raise CommandError(_("工作日数不能为负数。"))
        result = get_calendar().deadline(start, n)
        self.stdout.write(result.due.isoformat())
        self._notice(result.missing_years)

    def handle_between(self, options: dict) -> None:
        a, b = _date(options["a"]), _date(options["b"])
        calendar = get_calendar()
        self.stdout.write(str(calendar.workdays_between(a, b)))
        low, high = sorted((a, b))
        # Only the counted days, (low, high], decide whether a year without data was used.
        self._notice(calendar.years_without_data(low + ONE_DAY, high) if low < high else ())

    def handle_list(self, options: dict) -> None:
        year = options["year"]
        row = CalendarYear.objects.filter(year=year).first()
        if row is not None:
            days = [SpecialDay(d.date, DayKind(d.kind), d.name) for d in row.days.all()]
            self.stdout.write(format_year_file(days), ending="")
        if row is None:
            status = _("# %(year)d年：没有节假日数据，暂按周末计算") % {"year": year}
        elif row.published:
            status = _("# %(year)d年：已发布（来源：%(source)s）") % {
                "year": year,
                "source": row.get_source_display(),
            }
        else:
            status = _("# %(year)d年：未发布（草稿），暂按周末计算") % {"year": year}
        self.stdout.write(status)

    def handle_load(self, options: dict) -> None:
        name = options["file"]
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(_("无法读取文件%(name)s：%(error)s") % {"name": name, "error": exc}) from None
        actor = None
        if options["actor"]:
            actor = get_user_model().objects.filter(username=options["actor"]).first()
            if actor is None:
                raise CommandError(_("用户%(name)s不存在。") % {"name": options["actor"]})
        try:
            data = parse_year_file(text)
            row = load_year(
                data.year,
                data.holidays,
                data.workdays,
                actor=actor,
                published=not options["draft"],
                notes=options["notes"],
            )
        except CalendarFileError as exc:
            raise CommandError(
                _("未保存任何数据：") + "\n" + "\n".join(_(MESSAGES[e.code]) % e.params for e in exc.errors)
            ) from None
        except CalendarDataError as exc:
            raise CommandError(_("未保存任何数据：") + "\n" + "\n".join(exc.messages)) from None
        state = _("已发布") if row.published else _("未发布（草稿）")
        self.stdout.write(
            _("%(year)d年：节假日%(holidays)d天，调休上班日%(workdays)d天，%(state)s")
            % {
                "year": data.year,
                "holidays": len(data.holidays),
                "workdays": len(data.workdays),
                "state": state,
            }
        )

    def handle_seed(self, options: dict) -> None:
        added = seed_missing_years()
        for year in added:
            self.stdout.write(_("%(year)d年：已从chinesecalendar补充") % {"year": year})
        if not added:
            self.stdout.write(_("没有需要补充的年份"))
