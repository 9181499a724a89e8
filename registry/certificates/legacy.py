"""The file format of the old registry's export and the checks of one row of it, with no Django import.

One row is one registration specialty (注册专业) of one person; a person registered in two specialties has
two rows with the same person, registration and employer columns. The columns (headers in Chinese, in any
order; docs/legacy-import.md is the operator's description):

    姓名 性别 身份证号 出生日期 注册编号 初始注册日期 聘用企业 统一社会信用代码 企业所在区县 专业 有效期起 有效期止
    纸质证书编号 状态

``RowParser.parse`` turns the cells of one row into a ``LegacyRow`` or a list of ``Problem`` (row number,
column, reason in Chinese). The identifier checks are those of ``registry.identifiers``: the resident ID
(15-digit numbers converted to 18), the credit code and the registration number (13-character numbers
converted to the national 17-character form). A credit code whose check character fails is kept with a
warning, as everywhere else in the system: some codes really issued fail it, and the enterprise is imported
unauthenticated, so its authentication still needs the district officer's recorded reason.

Expiry is not a stored status here (as in the rest of the system): a specialty has expired when its
有效期止 is before today. 状态 says 有效 (or is blank), 已过期 (checked against the dates) or 已注销.
"""

from __future__ import annotations

import codecs
import csv
import re
from array import array
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from registry.applications.rules import SPECIALTY_NAMES
from registry.identifiers import (
    InvalidIdentifier,
    Sex,
    parse_credit_code,
    parse_registration_number,
    parse_resident_id,
)

NAME = "姓名"
SEX = "性别"
ID_NUMBER = "身份证号"
BIRTH_DATE = "出生日期"
REGISTRATION_NUMBER = "注册编号"
REGISTERED_ON = "初始注册日期"
EMPLOYER = "聘用企业"
CREDIT_CODE = "统一社会信用代码"
DISTRICT = "企业所在区县"
SPECIALTY = "专业"
VALID_FROM = "有效期起"
VALID_TO = "有效期止"
PAPER_NUMBER = "纸质证书编号"
STATUS = "状态"

# Every column, in the order the generator and the demo file write them.
COLUMNS: tuple[str, ...] = (
    NAME, SEX, ID_NUMBER, BIRTH_DATE, REGISTRATION_NUMBER, REGISTERED_ON, EMPLOYER, CREDIT_CODE, DISTRICT,
    SPECIALTY, VALID_FROM, VALID_TO, PAPER_NUMBER, STATUS,
)
# Columns the header must have; the others may be missing or blank (their meaning is in the module doc).
REQUIRED_COLUMNS: tuple[str, ...] = (
    NAME, ID_NUMBER, REGISTRATION_NUMBER, EMPLOYER, CREDIT_CODE, SPECIALTY, VALID_FROM, VALID_TO, PAPER_NUMBER,
)

# Values of 状态, as the old registry wrote them.
ACTIVE, EXPIRED, CANCELLED = "active", "expired", "cancelled"
STATUS_WORDS: dict[str, str] = {
    "": ACTIVE, "有效": ACTIVE, "正常": ACTIVE,
    "已过期": EXPIRED, "过期": EXPIRED, "已失效": EXPIRED, "失效": EXPIRED,
    "已注销": CANCELLED, "注销": CANCELLED,
}
SEX_WORDS: dict[str, Sex] = {"男": Sex.MALE, "女": Sex.FEMALE}

_DATE = re.compile(r"^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?$")
_PAPER_NUMBER = re.compile(r"^[0-9A-Za-z\-\u4e00-\u9fa5]{1,32}$")
MAX_NAME = 50
MAX_ENTERPRISE_NAME = 100


@dataclass(frozen=True)
class Problem:
    """One finding on one row: an error drops the row, a warning keeps it."""

    row: int
    column: str
    reason: str
    is_warning: bool = False


@dataclass(frozen=True)
class LegacyRow:
    """One checked row: a person, an employer, a registration and one of its specialties."""

    row: int
    name: str
    id_number: str
    sex: str  # "M" or "F", as Person.sex
    birth_date: date
    registration_number: str
    registered_on: date | None
    employer_name: str
    credit_code: str
    district: str  # GB/T 2260 code
    specialty: str  # national specialty code
    valid_from: date
    valid_to: date
    paper_number: str
    cancelled: bool
    warnings: tuple[Problem, ...] = ()

    def has_expired(self, today: date) -> bool:
        """Return whether the specialty is still registered but its validity has ended."""
        return not self.cancelled and self.valid_to < today


class HeaderError(ValueError):
    """The file's first row is not a header this format can read; the message is in Chinese."""


def column_positions(header: Sequence[object]) -> dict[str, int]:
    """Return the position of each known column in the header row; raise ``HeaderError`` if one is missing.

    Headers are compared after trimming spaces (and a byte-order mark); unknown columns are ignored.
    """
    positions: dict[str, int] = {}
    for index, cell in enumerate(header):
        title = text(cell).lstrip("\ufeff")
        if title in COLUMNS:
            if title in positions:
                raise HeaderError(f"表头中“{title}”列出现了两次")
            positions[title] = index
    missing = [title for title in REQUIRED_COLUMNS if title not in positions]
    if missing:
        raise HeaderError("表头缺少必填列：" + "、".join(missing))
    return positions


def text(value: object) -> str:
    """Return a cell as trimmed text; a whole number read from a spreadsheet loses its ".0"."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class RowParser:
    """Checks rows against today's date, the districts and the specialties the system knows."""

    def __init__(self, positions: Mapping[str, int], *, today: date, districts: Mapping[str, str]) -> None:
        self.positions = dict(positions)
        self.today = today
        self.district_codes = dict(districts)
        # Names as written in full (沙坪坝区) or without their last character (沙坪坝).
        self.district_by_name = {name: code for code, name in districts.items()}
        self.district_by_name.update({name[:-1]: code for code, name in districts.items() if len(name) > 2})
        self.specialty_by_name = {name: code for code, name in SPECIALTY_NAMES.items()}

    def parse(self, number: int, cells: Sequence[object]) -> LegacyRow | list[Problem]:
        """Return the checked row, or every error found on it (warnings travel on the row)."""
        problems: list[Problem] = []

        def cell(column: str) -> object:
            index = self.positions.get(column)
            return cells[index] if index is not None and index < len(cells) else None

        def fail(column: str, reason: str) -> None:
            problems.append(Problem(number, column, reason))

        name = self._name(text(cell(NAME)), fail)
        person = self._person(cell, fail)
        regno = self._registration_number(text(cell(REGISTRATION_NUMBER)), fail)
        registered_on = self._date(cell(REGISTERED_ON), REGISTERED_ON, fail, required=False)
        employer = text(cell(EMPLOYER))
        if not employer:
            fail(EMPLOYER, "请填写聘用企业名称")
        elif len(employer) > MAX_ENTERPRISE_NAME:
            fail(EMPLOYER, f"聘用企业名称超过{MAX_ENTERPRISE_NAME}个字")
        credit_code, warnings = self._credit_code(number, text(cell(CREDIT_CODE)), fail)
        district = self._district(text(cell(DISTRICT)), credit_code, fail)
        specialty = self._specialty(text(cell(SPECIALTY)), fail)
        valid_from = self._date(cell(VALID_FROM), VALID_FROM, fail)
        valid_to = self._date(cell(VALID_TO), VALID_TO, fail)
        if valid_from and valid_to and valid_to < valid_from:
            fail(VALID_TO, "有效期止早于有效期起")
        paper_number = text(cell(PAPER_NUMBER))
        if not paper_number:
            fail(PAPER_NUMBER, "请填写纸质证书编号")
        elif not _PAPER_NUMBER.match(paper_number):
            fail(PAPER_NUMBER, "纸质证书编号只能包含字母、数字、汉字和连字符，最长32个字符")
        status = self._status(text(cell(STATUS)), valid_to, fail)
        if problems:
            return problems
        return LegacyRow(
            row=number, name=name, id_number=person[0], sex=person[1], birth_date=person[2],
            registration_number=regno, registered_on=registered_on, employer_name=employer,
            credit_code=credit_code, district=district, specialty=specialty, valid_from=valid_from,
            valid_to=valid_to, paper_number=paper_number, cancelled=status == CANCELLED, warnings=warnings,
        )

    @staticmethod
    def _name(name: str, fail) -> str:
        if not name:
            fail(NAME, "请填写姓名")
        elif len(name) > MAX_NAME:
            fail(NAME, f"姓名超过{MAX_NAME}个字")
        return name

    def _person(self, cell, fail) -> tuple[str, str, date]:
        """Return (ID number, sex, birth date); sex and birth date, when given, must agree with the ID."""
        try:
            parsed = parse_resident_id(text(cell(ID_NUMBER)), today=self.today)
        except InvalidIdentifier as error:
            fail(ID_NUMBER, error.message)
            return "", "", date.min
        sex_text = text(cell(SEX))
        if sex_text and SEX_WORDS.get(sex_text) is None:
            fail(SEX, "性别应填写“男”或“女”")
        elif sex_text and SEX_WORDS[sex_text] != parsed.sex:
            fail(SEX, "性别与身份证号不一致")
        born = self._date(cell(BIRTH_DATE), BIRTH_DATE, fail, required=False)
        if born is not None and born != parsed.birth_date:
            fail(BIRTH_DATE, "出生日期与身份证号不一致")
        return parsed.number, "M" if parsed.sex == Sex.MALE else "F", parsed.birth_date

    def _registration_number(self, value: str, fail) -> str:
        try:
            parsed = parse_registration_number(value, today=self.today)
        except InvalidIdentifier as error:
            fail(REGISTRATION_NUMBER, "请填写注册编号" if not value else error.message)
            return ""
        if parsed.province_abbr != "渝" or parsed.level != 2:
            fail(REGISTRATION_NUMBER, "注册编号应以“渝2”开头（重庆市二级建造师）")
        return parsed.number

    @staticmethod
    def _credit_code(number: int, value: str, fail) -> tuple[str, tuple[Problem, ...]]:
        try:
            parsed = parse_credit_code(value)
        except InvalidIdentifier as error:
            fail(CREDIT_CODE, error.message)
            return "", ()
        warnings = tuple(
            Problem(number, CREDIT_CODE, warning.message + "（已导入，企业认证时须由区县经办人员说明理由）", True)
            for warning in parsed.warnings
        )
        return parsed.number, warnings

    def _district(self, value: str, credit_code: str, fail) -> str:
        """Return the district code from a name or code, or from the credit code when the cell is blank."""
        if not value:
            region = credit_code[2:8]
            if region in self.district_codes:
                return region
            fail(DISTRICT, "请填写企业所在区县（统一社会信用代码中没有重庆市的区县代码）" if credit_code else "请填写企业所在区县")
            return ""
        if value in self.district_codes:
            return value
        code = self.district_by_name.get(value)
        if code is None:
            fail(DISTRICT, "企业所在区县不是重庆市的区县")
            return ""
        return code

    def _specialty(self, value: str, fail) -> str:
        if not value:
            fail(SPECIALTY, "请填写专业")
            return ""
        if value in SPECIALTY_NAMES:
            return value
        code = self.specialty_by_name.get(value.removesuffix("专业"))
        if code is None:
            fail(SPECIALTY, "专业应为：" + "、".join(SPECIALTY_NAMES.values()))
            return ""
        return code

    def _status(self, value: str, valid_to: date | None, fail) -> str:
        status = STATUS_WORDS.get(value)
        if status is None:
            fail(STATUS, "状态应为“有效”、“已过期”或“已注销”")
            return ACTIVE
        if status == EXPIRED and valid_to is not None and valid_to >= self.today:
            fail(STATUS, "状态为已过期，但有效期止不早于今天")
        return CANCELLED if status == CANCELLED else ACTIVE

    def _date(self, value: object, column: str, fail, *, required: bool = True) -> date | None:
        """Return a date written as 2024-03-01, 2024/3/1, 20240301 or 2024年3月1日, or a spreadsheet date."""
        if isinstance(value, datetime):
            return value.date()
        if isinstance(value, date):
            return value
        raw = text(value)
        if not raw:
            if required:
                fail(column, f"请填写{column}")
            return None
        match = _DATE.match(raw.split(" ")[0])
        try:
            if match is None:
                raise ValueError
            return date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            fail(column, f"{column}不是有效日期（应为 YYYY-MM-DD）")
            return None


# ---------------------------------------------------------------------------
# Reading the file: CSV (UTF-8 with or without BOM, or GB18030) or XLSX, streamed row by row
# ---------------------------------------------------------------------------

CSV_ENCODINGS = ("utf-8-sig", "gb18030")
_SNIFF_BYTES = 64 * 1024


@dataclass
class Table:
    """An open export: its header, its data rows as (row number, cells) and the row count if known."""

    header: list[object]
    rows: Iterator[tuple[int, Sequence[object]]]
    total: int | None
    kind: str  # "csv" or "xlsx"
    encoding: str = ""


def is_xlsx(path: Path) -> bool:
    """Return whether the file is an XLSX workbook (a ZIP), whatever its name says."""
    with path.open("rb") as stream:
        return stream.read(4) == b"PK\x03\x04"


def csv_encoding(path: Path) -> str:
    """Return the encoding of a CSV export: UTF-8 (a BOM is dropped) or, when it is not UTF-8, GB18030.

    The first 64 KiB decide; a file valid in neither is refused with a ``HeaderError``.
    """
    with path.open("rb") as stream:
        sample = stream.read(_SNIFF_BYTES)
    for encoding in CSV_ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            decoder.decode(sample, final=len(sample) < _SNIFF_BYTES)
        except UnicodeDecodeError:
            continue
        return encoding
    raise HeaderError("文件编码无法识别：请保存为 UTF-8 或 GB18030 编码的 CSV，或 XLSX")


def _numbered(rows: Iterator[Sequence[object]]) -> Iterator[tuple[int, Sequence[object]]]:
    """Yield the data rows with their row number in the file (the header is row 1), skipping blank rows."""
    for number, cells in enumerate(rows, start=2):
        if any(text(value) for value in cells):
            yield number, cells


class CompactStrings(Sequence[str]):
    """A workbook's shared strings kept as one UTF-8 buffer and an array of offsets.

    Excel stores every text cell as an index into this table, so a reader must hold all of it. As a list of
    Python strings (what openpyxl keeps) the table of a 1,000,000-row export costs about 500 MB; this way
    about a fifth of that, and a cell's string is decoded when its row is read.
    """

    def __init__(self, strings: Iterable[str]) -> None:
        self._data = bytearray()
        self._ends = array("Q")
        for value in strings:
            self._data += value.encode()
            self._ends.append(len(self._data))

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, index):  # an int index, as openpyxl's sheet parser asks
        start = self._ends[index - 1] if index > 0 else 0
        return self._data[start:self._ends[index]].decode()


def _open_workbook(path: Path):
    """Open an XLSX file read-only with its shared strings in a ``CompactStrings`` table."""
    from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader

    class CompactReader(ExcelReader):
        def read_strings(self) -> None:
            part = self.package.find(SHARED_STRINGS)
            if part is not None:
                with self.archive.open(part.PartName[1:]) as source:
                    self.shared_strings = CompactStrings(_iter_strings(source))

    reader = CompactReader(path, read_only=True, data_only=True)
    reader.read()
    return reader.wb


def _iter_strings(source) -> Iterator[str]:
    """Yield the strings of a sharedStrings part one by one, parsed as openpyxl parses them."""
    from openpyxl.cell.text import Text
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    tag = f"{{{SHEET_MAIN_NS}}}si"
    for _event, node in iterparse(source):
        if node.tag == tag:
            yield Text.from_tree(node).content.replace("x005F_", "")
            node.clear()


@contextmanager
def open_table(path: Path) -> Iterator[Table]:
    """Open an export for reading row by row; never loads the whole file into memory."""
    if is_xlsx(path):
        workbook = _open_workbook(path)
        try:
            sheet = workbook.worksheets[0]
            total = sheet.max_row - 1 if sheet.max_row else None
            # The size a file declares is only a hint for the progress bar: openpyxl would stop reading at
            # it, and some programs write it wrong.
            sheet.reset_dimensions()
            rows = sheet.iter_rows(values_only=True)
            header = list(next(rows, None) or [])
            yield Table(header=header, rows=_numbered(rows), total=total, kind="xlsx")
        finally:
            workbook.close()
        return
    encoding = csv_encoding(path)
    with path.open(encoding=encoding, newline="") as stream:
        reader = csv.reader(stream)
        try:
            header = next(reader, None) or []
        except UnicodeDecodeError:
            raise HeaderError("文件编码无法识别：请保存为 UTF-8 或 GB18030 编码的 CSV，或 XLSX") from None
        yield Table(header=list(header), rows=_numbered(reader), total=None, kind="csv", encoding=encoding)
