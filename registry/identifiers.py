"""Check and parse the identifiers the registry handles, with no Django import.

- Resident ID numbers (GB 11643-1999), including 15-digit legacy numbers and the residence
  permits of Hong Kong, Macao and Taiwan residents.
- Unified social credit codes (GB 32100-2015) and the organisation code inside them (GB 11714).
- Constructor registration numbers (注册编号), old 13-character and national 17-character forms.
- E-licence identifiers (证照标识, GB/T 36904) with their ISO/IEC 7064 MOD 37,36 check character.

Every refusal is an ``InvalidIdentifier`` carrying a stable ``code`` and a Chinese ``message``. The
messages are wrapped in ``gettext_noop`` so that ``makemessages`` collects them; the Django layer
translates ``error.message`` with ``gettext`` when it shows it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum


def gettext_noop(message: str) -> str:
    """Return the message unchanged; marks it for extraction without importing Django."""
    return message


MESSAGES: dict[str, str] = {
    "id.empty": gettext_noop("请填写身份证号码"),
    "id.length": gettext_noop("身份证号码应为18位（或15位旧号码）"),
    "id.charset": gettext_noop("身份证号码只能包含数字，最后一位可以是X"),
    "id.region": gettext_noop("身份证号码的地区代码无效"),
    "id.birth_date": gettext_noop("身份证号码中的出生日期无效"),
    "id.check": gettext_noop("身份证号码校验位错误"),
    "uscc.empty": gettext_noop("请填写统一社会信用代码"),
    "uscc.length": gettext_noop("统一社会信用代码应为18位"),
    "uscc.charset": gettext_noop("统一社会信用代码含有不允许的字符（不使用I、O、Z、S、V）"),
    "uscc.check": gettext_noop("统一社会信用代码校验位不符，请核对；确认无误的可由经办人员说明理由后放行"),
    "uscc.region": gettext_noop("统一社会信用代码中的行政区划码不是6位数字，请核对"),
    "org.length": gettext_noop("组织机构代码应为9位"),
    "org.charset": gettext_noop("组织机构代码含有不允许的字符"),
    "org.check": gettext_noop("组织机构代码校验位不符，请核对"),
    "regno.format": gettext_noop("注册编号格式不正确"),
    "regno.province": gettext_noop("注册编号中的省份代码无效"),
    "regno.level": gettext_noop("注册编号中的级别应为1或2"),
    "regno.years": gettext_noop("注册编号中的取得资格年份晚于初始注册年份"),
    "regno.too_early": gettext_noop("注册编号中的初始注册年份早于2007年"),
    "regno.future": gettext_noop("注册编号中的初始注册年份晚于今年"),
    "regno.serial": gettext_noop("注册编号中的流水号应在00001至99999之间"),
    "licence.format": gettext_noop("证照标识格式不正确"),
    "licence.check": gettext_noop("证照标识校验位错误"),
}


class InvalidIdentifier(ValueError):
    """Raised when an identifier cannot be accepted; carries a code and a Chinese message."""

    def __init__(self, code: str, message: str | None = None) -> None:
        self.code = code
        self.message = message if message is not None else MESSAGES[code]
        super().__init__(self.message)


@dataclass(frozen=True)
class IdentifierWarning:
    """A problem that a district officer may override with a recorded reason."""

    code: str
    message: str


# GB/T 2260 province-level codes (first two digits of an address code).
PROVINCE_CODES: frozenset[str] = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71 81 82".split()
)

# ---------------------------------------------------------------------------
# Resident ID (GB 11643)
# ---------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK_CHARS = "10X98765432"
# Earliest birth date accepted; the standard's own vector is born in 1880.
_EARLIEST_BIRTH = date(1800, 1, 1)


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


class IdKind(StrEnum):
    RESIDENT = "resident"  # 居民身份证
    HONG_KONG_PERMIT = "hong_kong_permit"  # 港澳台居民居住证 (香港), 810000
    MACAO_PERMIT = "macao_permit"  # 港澳台居民居住证 (澳门), 820000
    TAIWAN_PERMIT = "taiwan_permit"  # 港澳台居民居住证 (台湾), 830000


_PERMIT_PREFIXES = {
    "810000": IdKind.HONG_KONG_PERMIT,
    "820000": IdKind.MACAO_PERMIT,
    "830000": IdKind.TAIWAN_PERMIT,
}


@dataclass(frozen=True)
class ResidentId:
    """A checked 18-character ID number and what it encodes."""

    number: str
    birth_date: date
    sex: Sex
    kind: IdKind
    legacy_number: str | None = None  # the 15-digit number it was converted from, if any


def resident_id_check_char(first17: str) -> str:
    """Return the GB 11643 check character for the first 17 digits of an ID number."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("expected 17 ASCII digits")
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def _birth_date(yyyymmdd: str, today: date | None) -> date:
    try:
        born = date(int(yyyymmdd[:4]), int(yyyymmdd[4:6]), int(yyyymmdd[6:8]))
    except ValueError:
        raise InvalidIdentifier("id.birth_date") from None
    if born < _EARLIEST_BIRTH or (today is not None and born > today):
        raise InvalidIdentifier("id.birth_date")
    return born


def _id_kind(number: str) -> IdKind:
    kind = _PERMIT_PREFIXES.get(number[:6])
    if kind is not None:
        return kind
    # 81 and 82 are valid GB/T 2260 codes, but 83 exists only in the Taiwan permit prefix.
    if number[:2] not in PROVINCE_CODES:
        raise InvalidIdentifier("id.region")
    return IdKind.RESIDENT


def normalize_resident_id(text: str) -> str:
    """Return the number stripped of surrounding spaces with a lower-case x made upper-case."""
    return text.strip().upper()


def parse_resident_id(text: str, *, today: date | None = None) -> ResidentId:
    """Check an ID number (18 characters, or 15 legacy digits converted to 18) and decode it.

    When ``today`` is given, a birth date after it is refused.
    """
    number = normalize_resident_id(text)
    if not number:
        raise InvalidIdentifier("id.empty")
    legacy = None
    if len(number) == 15:
        if not (number.isascii() and number.isdigit()):
            raise InvalidIdentifier("id.charset")
        legacy = number
        first17 = number[:6] + "19" + number[6:]
        number = first17 + resident_id_check_char(first17)
    elif len(number) != 18:
        raise InvalidIdentifier("id.length")
    if not (number.isascii() and number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")):
        raise InvalidIdentifier("id.charset")
    kind = _id_kind(number)
    born = _birth_date(number[6:14], today)
    if number[17] != resident_id_check_char(number[:17]):
        raise InvalidIdentifier("id.check")
    sex = Sex.MALE if int(number[16]) % 2 == 1 else Sex.FEMALE
    return ResidentId(number=number, birth_date=born, sex=sex, kind=kind, legacy_number=legacy)


def convert_legacy_resident_id(text: str) -> str:
    """Return the 18-character form of a 15-digit ID number (born in the 1900s)."""
    result = parse_resident_id(text)
    if result.legacy_number is None:
        raise InvalidIdentifier("id.length")
    return result.number


# ---------------------------------------------------------------------------
# Unified social credit code (GB 32100) and organisation code (GB 11714)
# ---------------------------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUES = {c: i for i, c in enumerate(USCC_ALPHABET)}
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_BODY = re.compile(r"^[0-9A-Z]{8}$")


def uscc_check_char(first17: str) -> str:
    """Return the GB 32100 check character for the first 17 characters of a credit code."""
    if len(first17) != 17 or any(c not in _USCC_VALUES for c in first17):
        raise ValueError("expected 17 characters of the credit-code alphabet")
    total = sum(_USCC_VALUES[c] * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def organisation_code_check_char(first8: str) -> str:
    """Return the GB 11714 check character (0-9 or X) for the first 8 characters."""
    if not _ORG_BODY.match(first8):
        raise ValueError("expected 8 characters of 0-9 and A-Z")
    total = sum(int(c, 36) * w for c, w in zip(first8, _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


@dataclass(frozen=True)
class CreditCode:
    """A unified social credit code that has the right shape; ``warnings`` lists failed checks."""

    number: str
    registration_authority: str  # position 1: 1 机构编制, 5 民政, 9 市场监管, ...
    category: str  # position 2
    region_code: str  # positions 3-8
    organisation_code: str  # positions 9-17, the GB 11714 code without its hyphen
    warnings: tuple[IdentifierWarning, ...] = ()

    @property
    def is_fully_valid(self) -> bool:
        """Return whether every check passed, so no override is needed."""
        return not self.warnings


def _warn(code: str) -> IdentifierWarning:
    return IdentifierWarning(code=code, message=MESSAGES[code])


def parse_credit_code(text: str) -> CreditCode:
    """Check a unified social credit code.

    Wrong length or characters raise ``InvalidIdentifier``. A failed check character (of the code or
    of its embedded organisation code) does not: some codes really issued fail it, so the result
    carries warnings and an officer may accept it with a recorded reason.
    """
    number = text.strip().upper()
    if not number:
        raise InvalidIdentifier("uscc.empty")
    if len(number) != 18:
        raise InvalidIdentifier("uscc.length")
    if any(c not in _USCC_VALUES for c in number):
        raise InvalidIdentifier("uscc.charset")
    warnings = []
    if number[17] != uscc_check_char(number[:17]):
        warnings.append(_warn("uscc.check"))
    if not number[2:8].isdigit():
        warnings.append(_warn("uscc.region"))
    org = number[8:17]
    if org[8] != organisation_code_check_char(org[:8]):
        warnings.append(_warn("org.check"))
    return CreditCode(
        number=number,
        registration_authority=number[0],
        category=number[1],
        region_code=number[2:8],
        organisation_code=org,
        warnings=tuple(warnings),
    )


def parse_organisation_code(text: str) -> str:
    """Check a 9-character organisation code (hyphen before the check character optional).

    Return it without the hyphen; raise ``InvalidIdentifier`` when the check character is wrong.
    """
    code = text.strip().upper().replace("-", "")
    if len(code) != 9:
        raise InvalidIdentifier("org.length")
    if not _ORG_BODY.match(code[:8]) or not (code[8].isdigit() or code[8] == "X"):
        raise InvalidIdentifier("org.charset")
    if code[8] != organisation_code_check_char(code[:8]):
        raise InvalidIdentifier("org.check")
    return code


# ---------------------------------------------------------------------------
# Registration number (注册编号)
# ---------------------------------------------------------------------------

# GB/T 2260 province codes plus 99 (总后基建营房部).
REGISTRATION_PROVINCE_CODES: frozenset[str] = PROVINCE_CODES | {"99"}
# The registration numbering rule (建市[2007]101号) took effect in 2007.
FIRST_REGISTRATION_YEAR = 2007

_REGNO_NEW = re.compile(r"^([\u4e00-\u9fa5])(\d)(\d{2})(\d{4})(\d{4})(\d{5})$")
_REGNO_OLD = re.compile(r"^([\u4e00-\u9fa5])(\d)(\d{2})(\d{2})(\d{2})(\d{5})$")


@dataclass(frozen=True)
class RegistrationNumber:
    """A checked registration number in the 17-character national format."""

    number: str
    province_abbr: str  # current registration province, e.g. 渝
    level: int
    province_code: str  # province of the employer at initial registration, e.g. 50
    qualification_year: int
    registration_year: int  # year of initial registration
    serial: int
    legacy_number: str | None = None  # the 13-character number it was converted from, if any


def format_registration_number(
    *,
    qualification_year: int,
    registration_year: int,
    serial: int,
    province_abbr: str = "渝",
    level: int = 2,
    province_code: str = "50",
) -> str:
    """Return the 17-character registration number for these parts, after checking them."""
    number = (
        f"{province_abbr}{level}{province_code}{qualification_year:04d}{registration_year:04d}{serial:05d}"
    )
    parse_registration_number(number)
    return number


def parse_registration_number(text: str, *, today: date | None = None) -> RegistrationNumber:
    """Check a registration number, 17-character or old 13-character, and decode it.

    An old number is converted to the national format by writing both years with the century 20
    (the qualification began in 2004). When ``today`` is given, a registration year after it is refused.
    """
    number = text.strip()
    legacy = None
    match = _REGNO_NEW.match(number)
    if match is None:
        old = _REGNO_OLD.match(number)
        if old is None:
            raise InvalidIdentifier("regno.format")
        abbr, level, province, qual_yy, reg_yy, serial = old.groups()
        legacy = number
        number = f"{abbr}{level}{province}20{qual_yy}20{reg_yy}{serial}"
        match = _REGNO_NEW.match(number)
        assert match is not None
    abbr, level, province, qual_year, reg_year, serial = match.groups()
    if level not in ("1", "2"):
        raise InvalidIdentifier("regno.level")
    if province not in REGISTRATION_PROVINCE_CODES:
        raise InvalidIdentifier("regno.province")
    if int(reg_year) < FIRST_REGISTRATION_YEAR:
        raise InvalidIdentifier("regno.too_early")
    if today is not None and int(reg_year) > today.year:
        raise InvalidIdentifier("regno.future")
    if int(qual_year) > int(reg_year):
        raise InvalidIdentifier("regno.years")
    if int(serial) == 0:
        raise InvalidIdentifier("regno.serial")
    return RegistrationNumber(
        number=number,
        province_abbr=abbr,
        level=int(level),
        province_code=province,
        qualification_year=int(qual_year),
        registration_year=int(reg_year),
        serial=int(serial),
        legacy_number=legacy,
    )


def convert_registration_number(text: str) -> str:
    """Return the 17-character form of a registration number (old or new)."""
    return parse_registration_number(text).number


# ---------------------------------------------------------------------------
# E-licence identifier (证照标识, GB/T 36904)
# ---------------------------------------------------------------------------

LICENCE_ROOT = "1.2.156.3005.2"
_MOD37_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_MOD37_VALUES = {c: i for i, c in enumerate(_MOD37_ALPHABET)}
_LICENCE = re.compile(
    r"^1\.2\.156\.3005\.2\.([0-9A-Z]{18}\d{3})\.([0-9A-Z]{18})\.([0-9A-Z]+)\.(\d{3})\.([0-9A-Z])$"
)


def mod37_36_check_char(payload: str) -> str:
    """Return the ISO/IEC 7064 MOD 37,36 check character of a string of 0-9 and A-Z."""
    p = 36
    for c in payload:
        value = _MOD37_VALUES.get(c)
        if value is None:
            raise ValueError(f"character {c!r} is outside 0-9 and A-Z")
        p = (p + value) % 36 or 36
        p = (2 * p) % 37
    return _MOD37_ALPHABET[(37 - p) % 36]


@dataclass(frozen=True)
class LicenceIdentifier:
    """A checked e-licence identifier and its parts."""

    identifier: str
    type_code: str  # 21 characters: the defining ministry's USCC and a 3-digit catalogue serial
    issuer_code: str  # the issuing authority's USCC
    serial: str
    version: int
    check_char: str


def build_licence_identifier(type_code: str, issuer_code: str, serial: str, version: int) -> str:
    """Return the e-licence identifier with its check character computed over all parts after the root."""
    if not 0 <= version <= 999:
        raise InvalidIdentifier("licence.format")
    body = f"{type_code}.{issuer_code}.{serial}.{version:03d}"
    try:
        check = mod37_36_check_char(body.replace(".", ""))
    except ValueError:
        raise InvalidIdentifier("licence.format") from None
    identifier = f"{LICENCE_ROOT}.{body}.{check}"
    parse_licence_identifier(identifier)
    return identifier


def parse_licence_identifier(text: str) -> LicenceIdentifier:
    """Check an e-licence identifier's shape and MOD 37,36 check character, and split it."""
    identifier = text.strip()
    match = _LICENCE.match(identifier)
    if match is None:
        raise InvalidIdentifier("licence.format")
    type_code, issuer, serial, version, check = match.groups()
    if mod37_36_check_char(type_code + issuer + serial + version) != check:
        raise InvalidIdentifier("licence.check")
    return LicenceIdentifier(
        identifier=identifier,
        type_code=type_code,
        issuer_code=issuer,
        serial=serial,
        version=int(version),
        check_char=check,
    )
