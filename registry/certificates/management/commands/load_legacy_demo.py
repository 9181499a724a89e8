"""Write the demo's export of the old registry (synthetic holders of paper certificates) and import it.

    python manage.py load_legacy_demo [--file var/legacy-demo.csv]

The export is written afresh with dates relative to today, so the demo journeys hold in any year:
刘晓梅 holds a paper certificate still running (two specialties) and can claim her e-certificate;
赵建国's ended a year ago; 黄志强's runs; 吴芳's was cancelled. It then goes through ``import_legacy``
exactly as an operator's file would, so a restart changes nothing (the import is idempotent).
"""

from __future__ import annotations

import csv
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from registry import clock
from registry.applications.rules import add_years
from registry.certificates.legacy import COLUMNS

# name, sex, ID number, birth date, registration serial, employer, credit code, district, specialty,
# years since the validity began (negative: before), status
_HOLDERS = (
    ("刘晓梅", "女", "500105198803120025", "1988-03-12", 31, "重庆两江路桥建设有限公司", "91500112MA60002Y2F", "渝北区",
     ("建筑工程", "市政公用工程"), 0.7, "有效"),
    ("赵建国", "男", "500105197506180019", "1975-06-18", 27, "重庆江北机电安装工程有限公司", "91500105MA61J2K3X0", "江北区",
     ("机电工程",), 4.0, "已过期"),
    ("黄志强", "男", "500101198309270057", "1983-09-27", 44, "重庆万州公路工程有限公司", "91500101MA61W5K8XE", "万州区",
     ("公路工程",), 1.5, "有效"),
    ("吴芳", "女", "500108199002140046", "1990-02-14", 52, "重庆巴南水利水电工程有限公司", "91500113MA60Q7R27F", "巴南区",
     ("水利水电工程",), 1.0, "已注销"),
)


def demo_rows(today: date) -> list[dict[str, str]]:
    """Return the demo export's rows, one per registration specialty, dated relative to today."""
    rows = []
    for name, sex, number, birth, serial, employer, code, district, specialties, years_ago, status in _HOLDERS:
        start = today - timedelta(days=round(years_ago * 365))
        registered = add_years(start, -3) if years_ago < 3 else start
        for specialty in specialties:
            rows.append(dict(zip(COLUMNS, (
                name, sex, number, birth, f"渝250{registered.year - 1}{registered.year}{serial:05d}",
                registered.isoformat(), employer, code, district, specialty, start.isoformat(),
                (add_years(start, 3) - timedelta(days=1)).isoformat(), f"渝建二证{registered.year}-{serial:05d}",
                status,
            ), strict=True)))
    return rows


class Command(BaseCommand):
    help = "Write the demo's export of the old registry (dates relative to today) and import it."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=Path(settings.VAR_DIR) / "legacy-demo.csv")

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["file"]))
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", encoding="utf-8-sig", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=list(COLUMNS))
            writer.writeheader()
            writer.writerows(demo_rows(clock.today()))
        call_command("import_legacy", str(path), "--no-progress", "--errors", str(path.with_suffix(".errors.csv")),
                     stdout=self.stdout)
