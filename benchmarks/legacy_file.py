"""Write a synthetic export of the old registry for ``import_legacy``: N valid rows, the same every time.

    .venv/bin/python benchmarks/legacy_file.py var/legacy-1m.csv --rows 1000000
    .venv/bin/python benchmarks/legacy_file.py var/legacy-100k.xlsx --rows 100000     # format from the name

Person k has one specialty, or two when k is a multiple of 3 (so about 750,000 persons and as many
registrations for 1,000,000 rows) and works for one of 2,000 enterprises; every tenth person's validity
ended in 2023 (状态 已过期). Every ID number, credit code and registration number is valid, with the
right check characters, and unique. Pure: no Django. A CSV is streamed; an XLSX is written as Excel
writes one, every cell a shared string, the sheet streamed and the table of distinct strings (which a
reader must hold in memory) written last.
"""

from __future__ import annotations

import argparse
import csv
import sys
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from registry.applications.rules import SPECIALTY_NAMES, add_years  # noqa: E402
from registry.certificates.legacy import COLUMNS  # noqa: E402
from registry.identifiers import (  # noqa: E402
    organisation_code_check_char,
    resident_id_check_char,
    uscc_check_char,
)

# GB/T 2260 codes and names of Chongqing's districts (as registry.people.models.DISTRICTS, without Django).
DISTRICTS = [
    ("500101", "万州区"), ("500102", "涪陵区"), ("500103", "渝中区"), ("500104", "大渡口区"), ("500105", "江北区"),
    ("500106", "沙坪坝区"), ("500107", "九龙坡区"), ("500108", "南岸区"), ("500109", "北碚区"), ("500110", "綦江区"),
    ("500111", "大足区"), ("500112", "渝北区"), ("500113", "巴南区"), ("500114", "黔江区"), ("500115", "长寿区"),
    ("500116", "江津区"), ("500117", "合川区"), ("500118", "永川区"), ("500119", "南川区"), ("500120", "璧山区"),
]
ENTERPRISES = 2000
BIRTH_DAYS = 12000  # birth dates from 1960-01-01 over about 33 years
SPECIALTIES = list(SPECIALTY_NAMES.values())


def enterprise(e: int) -> tuple[str, str, str]:
    """Return (name, credit code, district name) of enterprise number e."""
    code, district = DISTRICTS[e % len(DISTRICTS)]
    org = f"MA{e:06d}"
    first17 = f"91{code}{org}{organisation_code_check_char(org)}"
    return f"重庆第{e + 1}建设工程有限公司", first17 + uscc_check_char(first17), district


def person_rows(k: int, enterprises: list[tuple[str, str, str]]) -> Iterator[list[str]]:
    """Yield the rows of person number k (one per specialty)."""
    region = DISTRICTS[k % len(DISTRICTS)][0]
    born = date(1960, 1, 1) + timedelta(days=(k // len(DISTRICTS)) % BIRTH_DAYS)
    sequence = (k // (len(DISTRICTS) * BIRTH_DAYS)) % 1000
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    id_number = first17 + resident_id_check_char(first17)
    sex = "男" if sequence % 2 == 1 else "女"
    registered = 2008 + k % 18
    number = f"渝250{registered - k % 3}{registered}{k // 18 + 1:05d}"
    name, credit_code, district = enterprises[k % ENTERPRISES]
    if k % 10 == 0:
        start, status = date(2020, 7, 1) + timedelta(days=k % 365), "已过期"
    else:
        start, status = date(2024, 1, 1) + timedelta(days=k % 1000), "有效"
    end = add_years(start, 3) - timedelta(days=1)
    for s in range(2 if k % 3 == 0 else 1):
        yield [f"测试{k}", sex, id_number, born.isoformat(), number, f"{registered}-03-01", name, credit_code,
               district, SPECIALTIES[(k + s) % len(SPECIALTIES)], start.isoformat(), end.isoformat(),
               f"渝建二证{k:08d}", status]


def rows(count: int) -> Iterator[list[str]]:
    """Yield ``count`` rows (the last person may lose its second specialty to stop at exactly count)."""
    enterprises = [enterprise(e) for e in range(ENTERPRISES)]
    written = k = 0
    while written < count:
        for row in person_rows(k, enterprises):
            if written == count:
                return
            yield row
            written += 1
        k += 1


def write(path: Path, count: int) -> None:
    """Write ``count`` rows and the header to ``path``: XLSX when its name ends in .xlsx, else CSV (UTF-8 BOM)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".xlsx":
        write_xlsx(path, [list(COLUMNS), *rows(count)])
        return
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(COLUMNS)
        writer.writerows(rows(count))


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_PARTS = {
    "[Content_Types].xml": (
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_TYPE}.worksheet+xml"/>'
        f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_TYPE}.sharedStrings+xml"/></Types>'),
    "_rels/.rels": (
        f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" Target="xl/workbook.xml" '
        f'Type="{_REL}/officeDocument"/></Relationships>'),
    "xl/workbook.xml": (
        f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>'
        '<sheet name="注册人员" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    "xl/_rels/workbook.xml.rels": (
        f'<Relationships xmlns="{_PKG_REL}">'
        f'<Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="{_REL}/worksheet"/>'
        f'<Relationship Id="rId2" Target="sharedStrings.xml" Type="{_REL}/sharedStrings"/></Relationships>'),
}


def write_xlsx(path: Path, table: Iterable[list[str]]) -> None:
    """Write rows of text as Excel does: every cell a shared string (so a reader must hold the table).

    The sheet is streamed into the ZIP; the table of distinct strings is kept until it is written last.
    """
    letters = [chr(ord("A") + i) for i in range(len(COLUMNS))]
    shared: dict[str, int] = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as package:
        for name, xml in _PARTS.items():
            package.writestr(name, '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' + xml)
        with package.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="{_MAIN}">'
                        '<sheetData>'.encode())
            for number, cells in enumerate(table, start=1):
                parts = [f'<row r="{number}">']
                for letter, value in zip(letters, cells, strict=False):
                    index = shared.setdefault(value, len(shared))
                    parts.append(f'<c r="{letter}{number}" t="s"><v>{index}</v></c>')
                parts.append("</row>")
                sheet.write("".join(parts).encode())
            sheet.write(b"</sheetData></worksheet>")
        with package.open("xl/sharedStrings.xml", "w", force_zip64=True) as strings:
            strings.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="{_MAIN}" '
                          f'uniqueCount="{len(shared)}">'.encode())
            for value in shared:
                strings.write(f"<si><t>{escape(value)}</t></si>".encode())
            strings.write(b"</sst>")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="file to write (.csv or .xlsx)")
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    write(args.out, args.rows)
    print(f"wrote {args.rows} rows to {args.out}")


if __name__ == "__main__":
    main()
