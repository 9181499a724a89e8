"""The legacy import: the old registry's export read, checked and loaded, through ``manage.py import_legacy``."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from registry import clock
from registry.applications.models import (
    Registration,
    RegistrationSpecialty,
    RegistrationStatus,
    RegistrationTransition,
    Specialty,
)
from registry.applications.rules import SPECIALTY_NAMES
from registry.audit.models import AuditEvent
from registry.certificates import legacy
from registry.certificates.legacy import COLUMNS, LegacyRow, RowParser, column_positions
from registry.identifiers import resident_id_check_char, uscc_check_char
from registry.people.models import DISTRICTS, Enterprise, Person


def rid(first17: str) -> str:
    """Return a valid resident ID number from its first 17 digits."""
    return first17 + resident_id_check_char(first17)


def uscc(first17: str) -> str:
    """Return a credit code with its right check character (its organisation code passes too)."""
    return first17 + uscc_check_char(first17)


LIU = rid("50010519880312002")  # female, born 1988-03-12
WANG = rid("50010619920304003")  # male, born 1992-03-04
CODE_A = uscc("91500105MA61J2K3X")  # 江北区
CODE_B = uscc("91500101MA61W5K8X")  # 万州区


def regno(serial: int) -> str:
    """Return a Chongqing registration number made a few years before today."""
    year = clock.today().year - 3
    return f"渝250{year - 1}{year}{serial:05d}"


def values(**overrides) -> dict[str, object]:
    """Return the cells of one good row (validity running from a year ago for two more), with overrides."""
    today = clock.today()
    row = {
        "姓名": "刘晓梅", "性别": "女", "身份证号": LIU, "出生日期": "1988-03-12", "注册编号": regno(31),
        "初始注册日期": "", "聘用企业": "重庆江北机电安装工程有限公司", "统一社会信用代码": CODE_A,
        "企业所在区县": "江北区", "专业": "建筑工程", "有效期起": (today - timedelta(days=365)).isoformat(),
        "有效期止": (today + timedelta(days=730)).isoformat(), "纸质证书编号": "渝建二证-00031", "状态": "有效",
    }
    row.update(overrides)
    return row


def write_csv(path: Path, rows: list[dict], *, encoding: str = "utf-8-sig", columns=COLUMNS) -> Path:
    with path.open("w", encoding=encoding, newline="") as out:
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(column, "") for column in columns])
    return path


def read_report(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.reader(stream))


def run(path: Path, *args: str) -> str:
    out = io.StringIO()
    call_command("import_legacy", str(path), "--no-progress", *args, stdout=out)
    return out.getvalue()


def snapshot() -> tuple:
    """Return every imported row with its change time, to compare runs."""
    return (
        sorted(Person.objects.values_list("id_number", "name", "sex", "birth_date")),
        sorted(Enterprise.objects.values_list("credit_code", "name", "district")),
        sorted(Registration.objects.values_list("number", "person__id_number", "employer__credit_code", "status",
                                                "registered_on", "paper_certificate_number", "updated_at")),
        sorted(RegistrationSpecialty.objects.values_list("registration__number", "specialty", "valid_from",
                                                         "valid_to", "status")),
        RegistrationTransition.objects.count(),
    )


# ---------------------------------------------------------------------------
# Loading a file
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_good_file_loads_persons_enterprises_registrations_and_specialties(tmp_path):
    today = clock.today()
    path = write_csv(tmp_path / "old.csv", [
        values(),
        values(专业="市政公用工程"),
        values(姓名="王五", 性别="男", 身份证号=WANG, 出生日期="1992/3/4", 注册编号=regno(44), 聘用企业="重庆万州公路工程有限公司",
               统一社会信用代码=CODE_B, 企业所在区县="500101", 专业="10401002", 纸质证书编号="渝建二证-00044",
               初始注册日期="2021年5月10日", 状态=""),
    ])
    output = run(path)

    assert "共 3 行；新导入 3 行" in output and "有错误未导入 0 行" in output
    liu = Person.objects.get(id_number=LIU)
    assert (liu.name, liu.sex, liu.birth_date, liu.user) == ("刘晓梅", "F", date(1988, 3, 12), None)
    assert (liu.mobile, liu.email, liu.photo, liu.signature, liu.real_name_level) == ("", "", "", "", "")
    registration = Registration.objects.get(number=regno(31))
    assert registration.person == liu and registration.employer.credit_code == CODE_A
    assert registration.employer.district == "500105" and registration.employer.name == "重庆江北机电安装工程有限公司"
    assert registration.status == RegistrationStatus.ACTIVE
    assert registration.paper_certificate_number == "渝建二证-00031"
    assert registration.registered_on == today - timedelta(days=365)  # blank: the first validity's start
    assert [(s.specialty, s.valid_from, s.valid_to, s.status) for s in registration.specialties.all()] == [
        (Specialty.BUILDING, today - timedelta(days=365), today + timedelta(days=730), RegistrationStatus.ACTIVE),
        (Specialty.MUNICIPAL, today - timedelta(days=365), today + timedelta(days=730), RegistrationStatus.ACTIVE),
    ]
    wang = Registration.objects.get(number=regno(44))
    assert wang.registered_on == date(2021, 5, 10) and wang.specialties.get().specialty == Specialty.HIGHWAY
    transition = RegistrationTransition.objects.get(registration=registration)
    assert (transition.to_status, transition.action, transition.reason) == ("active", "legacy_import", "原系统数据导入")
    assert (transition.actor, transition.application, transition.details) == (None, None, {})
    # Every row of the run carries the run's one moment.
    assert liu.created_at == registration.updated_at == transition.at
    assert abs(clock.now() - transition.at) < timedelta(minutes=5) and transition.at.utcoffset() == timedelta(0)
    assert registration.specialties.first().qualification is None

    event = AuditEvent.objects.get(action="certificates.legacy.imported")
    assert event.details["file"] == "old.csv" and event.details["errors_file"] == "old.errors.csv"
    assert (event.details["rows"], event.details["imported"], event.details["persons_created"],
            event.details["registrations_created"], event.details["rejected"]) == (3, 3, 2, 2, 0)
    assert LIU not in str(event.details) and "刘晓梅" not in str(event.details)
    assert read_report(tmp_path / "old.errors.csv") == [["行号", "列", "级别", "原因"]]


@pytest.mark.django_db
def test_importing_the_same_file_twice_changes_nothing(tmp_path):
    path = write_csv(tmp_path / "old.csv", [values(), values(专业="机电工程"),
                                            values(姓名="王五", 性别="男", 身份证号=WANG, 出生日期="", 注册编号=regno(44),
                                                   纸质证书编号="渝建二证-00044", 状态="已注销")])
    run(path)
    before = snapshot()
    output = run(path, "--chunk-size", "2")

    assert snapshot() == before
    assert "共 3 行；新导入 0 行" in output and "已存在未变化 3 行" in output and "新建人员 0、企业 0、注册 0" in output
    assert AuditEvent.objects.filter(action="certificates.legacy.imported").count() == 2


@pytest.mark.django_db
def test_a_file_with_a_specialty_spread_over_chunks_is_one_registration(tmp_path):
    rows = [values(专业=name) for name in SPECIALTY_NAMES.values()]
    run(write_csv(tmp_path / "old.csv", rows), "--chunk-size", "2")

    assert Person.objects.count() == 1 and Enterprise.objects.count() == 1
    assert Registration.objects.get().specialties.count() == 6
    assert RegistrationTransition.objects.count() == 1


@pytest.mark.django_db
def test_bad_rows_are_reported_with_row_number_column_and_reason_and_good_rows_are_kept(tmp_path):
    bad_id = LIU[:17] + ("0" if LIU[17] != "0" else "1")
    path = write_csv(tmp_path / "old.csv", [
        values(身份证号=bad_id),                                       # row 2
        values(姓名="王五", 性别="男", 身份证号=WANG, 出生日期="", 注册编号=regno(44),
               纸质证书编号="渝建二证-00044"),                          # row 3: good
        values(有效期起="2024-02-30", 专业="园林工程"),                 # row 4: two errors
        values(有效期止="2020-01-01", 有效期起="2021-01-01"),          # row 5
        values(性别="男", 出生日期="1988-03-13"),                       # row 6
        values(注册编号="川2512019202000031"),                          # row 7
        values(统一社会信用代码="91500105MA61J2K3X", 企业所在区县="成都市武侯区"),  # row 8
        values(状态="暂停", 纸质证书编号="", 姓名=""),                  # row 9
    ])
    output = run(path, "--errors", str(tmp_path / "report.csv"))

    assert "共 8 行；新导入 1 行" in output and "有错误未导入 7 行" in output
    assert list(Person.objects.values_list("id_number", flat=True)) == [WANG]
    assert read_report(tmp_path / "report.csv") == [
        ["行号", "列", "级别", "原因"],
        ["2", "身份证号", "错误", "身份证号码校验位错误"],
        ["4", "专业", "错误", "专业应为：建筑工程、公路工程、水利水电工程、矿业工程、市政公用工程、机电工程"],
        ["4", "有效期起", "错误", "有效期起不是有效日期（应为 YYYY-MM-DD）"],
        ["5", "有效期止", "错误", "有效期止早于有效期起"],
        ["6", "性别", "错误", "性别与身份证号不一致"],
        ["6", "出生日期", "错误", "出生日期与身份证号不一致"],
        ["7", "注册编号", "错误", "注册编号应以“渝2”开头（重庆市二级建造师）"],
        ["8", "统一社会信用代码", "错误", "统一社会信用代码应为18位"],
        ["8", "企业所在区县", "错误", "企业所在区县不是重庆市的区县"],
        ["9", "姓名", "错误", "请填写姓名"],
        ["9", "纸质证书编号", "错误", "请填写纸质证书编号"],
        ["9", "状态", "错误", "状态应为“有效”、“已过期”或“已注销”"],
    ]
    assert not (tmp_path / "old.errors.csv").exists()


@pytest.mark.django_db
def test_conflicts_with_what_is_known_are_row_errors(tmp_path):
    run(write_csv(tmp_path / "first.csv", [values()]))
    path = write_csv(tmp_path / "second.csv", [
        values(姓名="刘小梅"),                                                      # 2: ID known with another name
        values(姓名="王五", 性别="男", 身份证号=WANG, 出生日期="", 纸质证书编号="渝建二证-00044"),  # 3: number owned
        values(注册编号=regno(77), 纸质证书编号="渝建二证-00077"),                  # 4: second active registration
        values(姓名="王五", 性别="男", 身份证号=WANG, 出生日期="", 注册编号=regno(44)),  # 5: paper number taken
        values(有效期止=(clock.today() + timedelta(days=10)).isoformat()),          # 6: validity differs
        values(聘用企业="重庆江北机电有限公司", 专业="机电工程"),                    # 7: enterprise name differs
        values(统一社会信用代码=CODE_B, 企业所在区县="万州区", 专业="机电工程"),        # 8: another employer
        values(纸质证书编号="渝建二证-99999", 专业="机电工程"),                      # 9: paper number differs
        values(注册编号=regno(78), 纸质证书编号="渝建二证-00078", 状态="已注销"),    # 10: a cancelled one is fine
        values(姓名="王五", 性别="男", 身份证号=WANG, 出生日期="", 注册编号=regno(79),
               纸质证书编号="渝建二证-00079"),                                       # 11: good
        values(姓名="王六", 性别="男", 身份证号=WANG, 出生日期="", 注册编号=regno(79),
               纸质证书编号="渝建二证-00079", 专业="机电工程"),                     # 12: same ID, name of row 11 differs
    ])
    output = run(path, "--chunk-size", "4")

    assert "新导入 2 行" in output and "有错误未导入 9 行" in output
    assert read_report(tmp_path / "second.errors.csv")[1:] == [
        ["2", "姓名", "错误", "该身份证号已登记的姓名与本行不同"],
        ["3", "注册编号", "错误", "该注册编号已属于另一人员"],
        ["4", "注册编号", "错误", "该人员已有另一个有效注册，不能同时有两个有效注册"],
        ["5", "纸质证书编号", "错误", "该纸质证书编号已属于另一个注册编号"],
        ["6", "专业", "错误", "该注册的此专业已导入，有效期或状态与本行不同"],
        ["7", "聘用企业", "错误", "该统一社会信用代码已登记的企业名称与本行不同"],
        ["8", "统一社会信用代码", "错误", "该注册编号已登记在另一聘用企业"],
        ["9", "纸质证书编号", "错误", "该注册编号已登记的纸质证书编号与本行不同"],
        ["12", "姓名", "错误", "该身份证号已登记的姓名与本行不同"],
    ]
    assert Registration.objects.get(number=regno(78)).status == RegistrationStatus.CANCELLED
    assert Registration.objects.get(number=regno(79)).person.name == "王五"
    assert Registration.objects.get(number=regno(31)).specialties.get().valid_to == clock.today() + timedelta(days=730)


@pytest.mark.django_db
def test_a_registration_made_in_the_new_system_is_never_taken_over(tmp_path):
    run(write_csv(tmp_path / "first.csv", [values()]))
    Registration.objects.filter(number=regno(31)).update(paper_certificate_number="")
    run(write_csv(tmp_path / "second.csv", [values(专业="机电工程")]))

    assert read_report(tmp_path / "second.errors.csv")[1:] == [
        ["2", "纸质证书编号", "错误", "该注册编号已在本系统办理，不是纸质证书注册"]]
    assert Registration.objects.get().specialties.count() == 1


@pytest.mark.django_db
def test_a_cancelled_registration_becomes_active_when_an_active_specialty_arrives(tmp_path):
    run(write_csv(tmp_path / "first.csv", [values(状态="已注销")]))
    assert Registration.objects.get().status == RegistrationStatus.CANCELLED
    run(write_csv(tmp_path / "second.csv", [values(专业="机电工程")]))

    registration = Registration.objects.get()
    assert registration.status == RegistrationStatus.ACTIVE
    assert dict(registration.specialties.values_list("specialty", "status")) == {
        Specialty.BUILDING: RegistrationStatus.CANCELLED, Specialty.MECHANICAL: RegistrationStatus.ACTIVE}
    assert list(registration.transitions.values_list("from_status", "to_status")) == [
        ("", "cancelled"), ("cancelled", "active")]


@pytest.mark.django_db
def test_a_row_whose_validity_has_ended_imports_as_expired(tmp_path):
    today = clock.today()
    ended = today - timedelta(days=1)
    path = write_csv(tmp_path / "old.csv", [
        values(有效期起=(ended - timedelta(days=1095)).isoformat(), 有效期止=ended.isoformat(), 状态="已过期"),
        values(专业="机电工程", 有效期止=ended.isoformat(), 状态="有效"),  # the old system had not swept it yet
        values(专业="公路工程", 状态="已过期"),  # still running: the status contradicts the dates
    ])
    output = run(path)

    assert "新导入 2 行（其中已过期 2、已注销 0）" in output
    specialties = RegistrationSpecialty.objects.all()
    # Expiry is read from the dates, as everywhere in the system: still registered, validity ended.
    assert [(s.specialty, s.status, s.valid_to < today) for s in specialties] == [
        (Specialty.BUILDING, RegistrationStatus.ACTIVE, True), (Specialty.MECHANICAL, RegistrationStatus.ACTIVE, True)]
    assert read_report(tmp_path / "old.errors.csv")[1:] == [["4", "状态", "错误", "状态为已过期，但有效期止不早于今天"]]


@pytest.mark.django_db
def test_a_credit_code_failing_its_check_is_imported_with_a_warning(tmp_path):
    body = "91500105MA61J2K3X"
    wrong = body + next(c for c in "0123456789" if c != uscc_check_char(body))
    output = run(write_csv(tmp_path / "old.csv", [values(统一社会信用代码=wrong)]))

    assert "新导入 1 行" in output and "带警告导入 1 行" in output
    enterprise = Enterprise.objects.get(credit_code=wrong)
    assert enterprise.auth_state == "unauthenticated" and enterprise.credit_code_override_reason == ""
    assert read_report(tmp_path / "old.errors.csv")[1:] == [
        ["2", "统一社会信用代码", "警告", "统一社会信用代码校验位不符，请核对；确认无误的可由经办人员说明理由后放行"
                                          "（已导入，企业认证时须由区县经办人员说明理由）"]]


@pytest.mark.django_db
def test_a_dry_run_checks_everything_and_writes_nothing(tmp_path):
    run(write_csv(tmp_path / "first.csv", [values()]))
    before = snapshot(), AuditEvent.objects.count()
    path = write_csv(tmp_path / "second.csv", [
        values(专业="机电工程"),
        values(姓名="刘小梅", 专业="公路工程"),
        values(姓名="王五", 性别="男", 身份证号=WANG, 出生日期="", 注册编号=regno(44), 纸质证书编号="渝建二证-00044"),
        values(姓名="王五", 性别="男", 身份证号=WANG, 出生日期="", 注册编号=regno(44), 纸质证书编号="渝建二证-00044",
               专业="机电工程"),
    ])
    output = run(path, "--dry-run", "--chunk-size", "2")

    assert (snapshot(), AuditEvent.objects.count()) == before
    assert output.startswith("试运行（未写入数据库）：共 4 行；新导入 3 行") and "新建人员 1、企业 0、注册 1" in output
    assert read_report(tmp_path / "second.errors.csv")[1:] == [["3", "姓名", "错误", "该身份证号已登记的姓名与本行不同"]]


# ---------------------------------------------------------------------------
# File formats
# ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_is_read_in_utf8_with_or_without_bom_and_in_gb18030(tmp_path, encoding):
    path = write_csv(tmp_path / "old.csv", [values(), values(专业="机电工程")], encoding=encoding)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf") == (encoding == "utf-8-sig")
    output = run(path)

    assert "新导入 2 行" in output
    assert Person.objects.get().name == "刘晓梅" and Enterprise.objects.get().name == "重庆江北机电安装工程有限公司"


@pytest.mark.django_db
def test_xlsx_is_read_with_text_and_date_cells_and_columns_in_any_order(tmp_path):
    today = clock.today()
    columns = list(reversed(COLUMNS))
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(columns)
    sheet.append([values(有效期起=today - timedelta(days=365), 有效期止=today + timedelta(days=730),
                         出生日期=date(1988, 3, 12))[column] for column in columns])
    sheet.append([" "] * len(columns))  # a blank row is skipped, not reported
    sheet.append([values(专业="机电工程", 纸质证书编号=31)[column] for column in columns])  # a number read back as text
    workbook.save(tmp_path / "old.xlsx")
    output = run(tmp_path / "old.xlsx")

    assert "共 2 行；新导入 1 行" in output and "有错误未导入 1 行" in output
    specialty = RegistrationSpecialty.objects.get()
    assert (specialty.valid_from, specialty.valid_to) == (today - timedelta(days=365), today + timedelta(days=730))
    assert read_report(tmp_path / "old.errors.csv")[1:] == [
        ["4", "纸质证书编号", "错误", "该注册编号已登记的纸质证书编号与本行不同"]]


@pytest.mark.django_db
def test_a_header_without_a_required_column_stops_the_import(tmp_path):
    columns = [c for c in COLUMNS if c not in ("身份证号", "专业")]
    path = write_csv(tmp_path / "old.csv", [values()], columns=columns)
    with pytest.raises(CommandError, match="表头缺少必填列：身份证号、专业"):
        run(path)
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="找不到导入文件"):
        run(tmp_path / "none.csv")


# ---------------------------------------------------------------------------
# The demo file, and signing in as its paper-certificate holder
# ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_file_imports_a_running_and_an_expired_paper_holder_who_can_sign_in(tmp_path):
    from registry.people.signin import sign_in_with_ykb
    from registry.people.ykb import YkbClaims
    from registry.ykb_sim.models import SimIdentity

    call_command("load_demo", stdout=io.StringIO())
    output = io.StringIO()
    call_command("load_legacy_demo", "--file", str(tmp_path / "demo.csv"), stdout=output)
    assert "有错误未导入 0 行" in output.getvalue()

    today = clock.today()
    running = Registration.objects.get(person__name="刘晓梅")
    assert running.paper_certificate_number and running.employer.name == "重庆两江路桥建设有限公司"
    assert all(s.valid_to >= today and s.status == "active" for s in running.specialties.all())
    expired = Registration.objects.get(person__name="赵建国")
    assert all(s.valid_to < today for s in expired.specialties.all())

    identity = SimIdentity.objects.get(name="刘晓梅")
    claims = YkbClaims(issuer="https://ykb.example", subject=identity.subject, account_type="person",
                       name=identity.name, id_number=identity.id_number, mobile=identity.mobile,
                       real_name_level=identity.real_name_level)
    user = sign_in_with_ykb(claims, ip=None, now=clock.now())
    assert user.person == running.person and Person.objects.filter(name="刘晓梅").count() == 1


# ---------------------------------------------------------------------------
# The pure row checks
# ---------------------------------------------------------------------------


def parser() -> RowParser:
    return RowParser(column_positions(COLUMNS), today=clock.today(), districts=dict(DISTRICTS))


def parse(**overrides):
    row = values(**overrides)
    return parser().parse(7, [row[column] for column in COLUMNS])


def test_the_specialties_of_the_format_are_those_of_the_registry():
    assert SPECIALTY_NAMES == {code: str(label) for code, label in Specialty.choices}


def test_old_identifiers_are_converted_to_the_current_forms():
    old_id = "500105880312002"  # 15 digits, born 1988
    year = clock.today().year - 3
    row = parse(身份证号=old_id, 注册编号=f"渝250{(year - 1) % 100:02d}{year % 100:02d}00031", 统一社会信用代码=CODE_A.lower())

    assert isinstance(row, LegacyRow)
    assert row.id_number == rid("50010519880312002")
    assert row.registration_number == regno(31)
    assert row.credit_code == CODE_A and row.district == "500105"


@pytest.mark.parametrize(("written", "code"), [("", "500105"), ("沙坪坝", "500106"), ("500112", "500112")])
def test_a_district_is_read_from_its_name_its_code_or_the_credit_code(written, code):
    row = parse(企业所在区县=written)
    assert isinstance(row, LegacyRow) and row.district == code


@pytest.mark.parametrize(("overrides", "column", "reason"), [
    ({"身份证号": ""}, legacy.ID_NUMBER, "请填写身份证号码"),
    ({"身份证号": "5001051988031200"}, legacy.ID_NUMBER, "身份证号码应为18位（或15位旧号码）"),
    ({"性别": "F"}, legacy.SEX, "性别应填写“男”或“女”"),
    ({"注册编号": ""}, legacy.REGISTRATION_NUMBER, "请填写注册编号"),
    ({"注册编号": "渝2502019199900031"}, legacy.REGISTRATION_NUMBER, "注册编号中的初始注册年份早于2007年"),
    ({"统一社会信用代码": "91500105MA61J2K3XO"}, legacy.CREDIT_CODE,
     "统一社会信用代码含有不允许的字符（不使用I、O、Z、S、V）"),
    ({"企业所在区县": "成都市"}, legacy.DISTRICT, "企业所在区县不是重庆市的区县"),
    ({"聘用企业": ""}, legacy.EMPLOYER, "请填写聘用企业名称"),
    ({"有效期止": ""}, legacy.VALID_TO, "请填写有效期止"),
    ({"纸质证书编号": "A B"}, legacy.PAPER_NUMBER, "纸质证书编号只能包含字母、数字、汉字和连字符，最长32个字符"),
])
def test_each_bad_cell_is_refused_with_its_reason(overrides, column, reason):
    problems = parse(**overrides)
    assert [(p.row, p.column, p.reason, p.is_warning) for p in problems] == [(7, column, reason, False)]


def test_a_duplicated_header_column_is_refused():
    with pytest.raises(legacy.HeaderError, match="“姓名”列出现了两次"):
        column_positions([*COLUMNS, "姓名"])


def test_a_file_in_neither_utf8_nor_gb18030_is_refused(tmp_path):
    path = tmp_path / "old.csv"
    path.write_bytes(",".join(COLUMNS).encode("utf-16"))
    with pytest.raises(legacy.HeaderError, match="文件编码无法识别"):
        legacy.csv_encoding(path)


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.django_db
@pytest.mark.parametrize(("args", "shown"), [((), True), (("--no-progress",), False)])
def test_a_progress_bar_with_rows_per_second_is_shown_on_a_terminal_unless_turned_off(tmp_path, monkeypatch,
                                                                                       args, shown):
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    call_command("import_legacy", str(write_csv(tmp_path / "old.csv", [values()])), *args, stdout=io.StringIO())
    assert ("行/s" in terminal.getvalue()) == shown


@pytest.mark.django_db
def test_no_progress_bar_is_drawn_when_standard_error_is_not_a_terminal(tmp_path, monkeypatch):
    captured = io.StringIO()
    monkeypatch.setattr("sys.stderr", captured)
    call_command("import_legacy", str(write_csv(tmp_path / "old.csv", [values()])), stdout=io.StringIO())
    assert captured.getvalue() == ""


@pytest.mark.django_db
def test_an_xlsx_declaring_a_wrong_size_is_still_read_to_its_last_row(tmp_path):
    import re
    import zipfile

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for name in ("建筑工程", "机电工程", "公路工程"):
        sheet.append([values(专业=name)[column] for column in COLUMNS])
    workbook.save(tmp_path / "sized.xlsx")
    with zipfile.ZipFile(tmp_path / "sized.xlsx") as source, zipfile.ZipFile(tmp_path / "old.xlsx", "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = re.sub(rb'<dimension ref="[^"]*"', b'<dimension ref="A1:N2"', data)
            target.writestr(item, data)
    output = run(tmp_path / "old.xlsx")

    assert "共 3 行；新导入 3 行" in output
    assert RegistrationSpecialty.objects.count() == 3


@pytest.mark.django_db
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_the_benchmark_generator_writes_files_that_import_without_a_problem(tmp_path, suffix):
    import importlib.util

    script = Path(__file__).resolve().parents[3] / "benchmarks" / "legacy_file.py"
    spec = importlib.util.spec_from_file_location("legacy_file", script)
    generator = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generator)
    generator.write(tmp_path / f"bench{suffix}", 40)
    ended = sum(date.fromisoformat(row[COLUMNS.index("有效期止")]) < clock.today() for row in generator.rows(40))
    output = run(tmp_path / f"bench{suffix}")

    assert f"共 40 行；新导入 40 行（其中已过期 {ended}、已注销 0）" in output
    assert "新建人员 30、企业 30、注册 30" in output
    assert read_report(tmp_path / "bench.errors.csv") == [["行号", "列", "级别", "原因"]]


@pytest.mark.django_db
def test_a_chunk_whose_key_is_taken_meanwhile_is_planned_again_against_the_new_state(tmp_path, monkeypatch):
    from registry.certificates.legacy_import import _State

    # A 渝快办 sign-in creates the person after the chunk read the database and before it writes.
    Person.objects.create(name="刘晓梅", id_number=LIU, sex="F", birth_date=date(1988, 3, 12))
    original = _State.load.__func__
    loads = []

    def stale_first(cls, rows):
        state = original(cls, rows)
        loads.append(dict(state.person_names))
        if len(loads) == 1:
            state.person_names.clear()
        return state

    monkeypatch.setattr(_State, "load", classmethod(stale_first))
    output = run(write_csv(tmp_path / "old.csv", [values()]))

    assert len(loads) == 2  # the insert of the person failed on its unique key; the chunk was planned again
    assert "新导入 1 行" in output and "新建人员 0" in output
    assert Registration.objects.get().person == Person.objects.get()


def test_the_compact_string_table_gives_back_every_string():
    strings = ["", "刘晓梅", "500105198803120025", "x", "重庆两江路桥建设有限公司", ""]
    table = legacy.CompactStrings(strings)
    assert len(table) == 6 and [table[i] for i in range(6)] == strings
