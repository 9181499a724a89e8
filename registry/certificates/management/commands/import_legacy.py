"""Load the old registry's export (CSV or XLSX) into persons, enterprises, registrations and specialties.

    manage.py import_legacy FILE [--dry-run] [--errors REPORT.csv] [--no-progress] [--chunk-size N]

The file format is in docs/legacy-import.md (and ``registry.certificates.legacy``). The file is read row
by row and written in chunks; each problem goes to the error report (CSV: 行号, 列, 级别, 原因), by default
``FILE`` with ``.errors.csv`` in place of its extension, beside it. A dry run checks everything against the
database in a transaction it rolls back: it writes the report and nothing else. A run that writes leaves
one audit event with the file's name and the counts.
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from tqdm import tqdm

from registry import clock
from registry.audit.log import log_action
from registry.certificates.legacy import HeaderError, Problem, RowParser, column_positions, open_table
from registry.certificates.legacy_import import CHUNK_SIZE, ImportCounts, LegacyImporter
from registry.people.models import DISTRICTS

REPORT_HEADER = ["行号", "列", "级别", "原因"]


def default_report_path(path: Path) -> Path:
    """Return where the error report of ``path`` goes unless told: beside it, named after it."""
    return path.with_name(path.stem + ".errors.csv")


class Command(BaseCommand):
    help = "导入原系统的注册数据（CSV 或 XLSX；格式见 docs/legacy-import.md）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="原系统导出的 CSV（UTF-8 或 GB18030）或 XLSX 文件")
        parser.add_argument("--dry-run", action="store_true", help="只校验并生成错误报告，不写入数据库")
        parser.add_argument("--errors", help="错误报告（CSV）的保存位置；默认与导入文件同目录，文件名加 .errors.csv")
        parser.add_argument("--no-progress", action="store_true", help="不显示进度条")
        parser.add_argument("--chunk-size", type=int, default=CHUNK_SIZE, help="每批写入的行数")

    def handle(self, *args, file: str, dry_run: bool, errors: str | None, no_progress: bool,
               chunk_size: int, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"找不到导入文件：{path}")
        if chunk_size < 1:
            raise CommandError("--chunk-size 应为正整数")
        report_path = Path(errors) if errors else default_report_path(path)
        show_progress = not no_progress and sys.stderr.isatty()
        if dry_run:
            with transaction.atomic():
                counts, kind = self._run(path, report_path, chunk_size, show_progress)
                transaction.set_rollback(True)
        else:
            counts, kind = self._run(path, report_path, chunk_size, show_progress)
            log_action("certificates.legacy.imported", details={
                "file": path.name, "format": kind, "errors_file": report_path.name, **counts.as_dict()})
        self._summary(counts, report_path, dry_run)

    def _run(self, path: Path, report_path: Path, chunk_size: int, show_progress: bool) -> tuple[ImportCounts, str]:
        """Read, check and write the whole file; return the counts and the file's kind."""
        now = clock.now()
        try:
            with open_table(path) as table, report_path.open("w", encoding="utf-8-sig", newline="") as out:
                parser = RowParser(column_positions(table.header), today=clock.today(), districts=dict(DISTRICTS))
                writer = csv.writer(out)
                writer.writerow(REPORT_HEADER)

                def report(problem: Problem) -> None:
                    writer.writerow([problem.row, problem.column, "警告" if problem.is_warning else "错误",
                                     problem.reason])

                importer = LegacyImporter(today=clock.today(), now=now, report=report, chunk_size=chunk_size)
                with tqdm(total=table.total, unit="行", unit_scale=True, file=sys.stderr, desc="导入",
                          disable=not show_progress, mininterval=0.5) as progress:
                    number = 1
                    try:
                        for number, cells in table.rows:
                            importer.add(parser.parse(number, cells))
                            progress.update()
                    except (UnicodeDecodeError, csv.Error) as error:
                        importer.finish()
                        raise CommandError(
                            f"第{number}行之后的内容无法读取（{type(error).__name__}），已导入此前的行；"
                            f"请检查文件编码（识别为 {table.encoding or table.kind}）后重新导入") from None
                    return importer.finish(), table.kind
        except HeaderError as error:
            raise CommandError(str(error)) from None

    def _summary(self, counts: ImportCounts, report_path: Path, dry_run: bool) -> None:
        head = "试运行（未写入数据库）" if dry_run else "导入完成"
        self.stdout.write(
            f"{head}：共 {counts.rows} 行；新导入 {counts.imported} 行（其中已过期 {counts.expired}、已注销 "
            f"{counts.cancelled}），已存在未变化 {counts.unchanged} 行，有错误未导入 {counts.rejected} 行，"
            f"带警告导入 {counts.warned} 行；新建人员 {counts.persons_created}、企业 {counts.enterprises_created}、"
            f"注册 {counts.registrations_created}。错误报告：{report_path}"
        )
