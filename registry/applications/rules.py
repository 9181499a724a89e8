"""The automatic data comparison (数据比对) and the validity arithmetic of registrations.

Pure: no Django import. The services gather the facts of one application into ``Facts``; every rule
is a plain function of the facts and the parameters that returns findings, each a reason code with
its parameters (specialty codes, ISO dates, numbers). A finding is worded when it is shown
(``describe``), so a changed setting or a reworded rule never leaves stale text in stored findings.
An application passes when no finding failed. Rules are listed in ``RULES``;
a deployment adds one by appending a function, and the refusal grounds are data in
``Parameters.sanction_rules``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

SPECIALTY_NAMES = {
    "10401001": "建筑工程",
    "10401002": "公路工程",
    "10401005": "水利水电工程",
    "10401007": "矿业工程",
    "10401010": "市政公用工程",
    "10401012": "机电工程",
}

INITIAL, RENEWAL, CHANGE, ADD, REREG, CANCEL = (
    "initial", "renewal", "change", "add_specialty", "reregistration", "cancellation",
)


def add_years(day: date, years: int) -> date:
    """Return the same calendar day `years` later; 29 February becomes 28 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def last_day_under_65(birth_date: date) -> date:
    """Return the last day on which a person born on birth_date is still under 65."""
    return add_years(birth_date, 65) - timedelta(days=1)


def validity_end(start: date, birth_date: date, years: int = 3) -> date:
    """Return the end of a validity starting on `start`: start + 3 years − 1 day, never past age 65."""
    return min(add_years(start, years) - timedelta(days=1), last_day_under_65(birth_date))


def specialty_name(code: str) -> str:
    return SPECIALTY_NAMES.get(code, code)


@dataclass(frozen=True)
class QualificationFact:
    management_number: str
    name: str
    id_number: str
    specialty: str
    issued_on: date


@dataclass(frozen=True)
class RegisteredSpecialty:
    specialty: str
    valid_from: date
    valid_to: date


@dataclass(frozen=True)
class SanctionFact:
    kind: str
    decided_on: date
    completed_on: date | None = None


@dataclass(frozen=True)
class Facts:
    """Everything the comparison needs about one application, gathered at one instant."""

    today: date
    application_type: str
    change_kind: str
    person_name: str
    person_id_number: str
    birth_date: date
    specialties: tuple[str, ...]
    qualifications: tuple[QualificationFact, ...] = ()
    employer_authenticated: bool = True
    employer_active: bool = True
    employer_meets_requirements: bool = True
    # The person's current active registration, if any.
    has_active_registration: bool = False
    registered_employer_id: int | None = None
    registered_specialties: tuple[RegisteredSpecialty, ...] = ()
    target_employer_id: int | None = None
    other_open_applications: int = 0
    education_completed: tuple[tuple[str, date], ...] = ()  # (specialty, completed_on)
    sanctions: tuple[SanctionFact, ...] = ()
    project_locked: bool = False


@dataclass(frozen=True)
class SanctionRule:
    """A refusal ground as data: a recorded fact blocks registration for `years` from a start date."""

    kind: str
    years: int | None  # None: blocks for as long as the fact stands
    counted_from: str  # "decided" or "completed"
    message: str


DEFAULT_SANCTION_RULES: tuple[SanctionRule, ...] = (
    SanctionRule("no_civil_capacity", None, "decided", "申请人不具有完全民事行为能力（第十五条第一项）"),
    SanctionRule("serving_sentence", None, "completed", "申请人刑事处罚尚未执行完毕（第十五条第四项）"),
    SanctionRule("criminal_practice", 5, "completed", "因执业活动受到刑事处罚，自刑事处罚执行完毕之日起至申请注册之日止不满5年（第十五条第五项）"),
    SanctionRule("criminal_other", 3, "decided", "因前项规定以外的原因受到刑事处罚，自处罚决定之日起至申请注册之日止不满3年（第十五条第六项）"),
    SanctionRule("certificate_revoked", 2, "decided", "被吊销注册证书，自处罚决定之日起至申请注册之日止不满2年（第十五条第七项）"),
    SanctionRule("major_accident", 3, "decided", "申请前3年内担任项目经理期间所负责项目发生过重大质量和安全事故（第十五条第八项）"),
    SanctionRule("false_materials", 1, "decided", "隐瞒有关情况或者提供虚假材料，1年内不得再次申请注册（第三十三条）"),
    SanctionRule("fraud", 3, "decided", "以欺骗、贿赂等不正当手段取得注册，3年内不得再次申请注册"),
)


@dataclass(frozen=True)
class Parameters:
    renewal_opens_days: int = 90
    renewal_closes_days: int = 30
    qualification_fresh_years: int = 3
    education_period_years: int = 3
    sanction_rules: tuple[SanctionRule, ...] = DEFAULT_SANCTION_RULES


# The wording of each finding code; placeholders are filled from the finding's parameters when shown.
MESSAGES: dict[str, str] = {
    "qualification.missing": "资格库中未找到申请人{specialty}专业的资格证书",
    "qualification.mismatch": "{specialty}专业资格证书（管理号 {management_number}）的姓名或身份证件号码与申请人不一致",
    "qualification.found": "{specialty}专业资格证书（管理号 {management_number}）比对一致",
    "employer.unauthenticated": "聘用企业尚未完成身份认证",
    "employer.inactive": "聘用企业经营状态异常（破产、营业执照或资质被吊销、撤回）",
    "employer.requirements": "聘用企业不符合注册单位的条件（第十五条第九项）",
    "employer.ok": "聘用企业已认证且状态正常",
    "registration.exists": "申请人已有有效注册，不能重复注册（第十五条第二项）",
    "registration.none": "申请人没有其他有效注册",
    "registration.missing": "申请人没有有效的注册，不能办理该业务",
    "registration.specialty_exists": "{specialty}专业已经注册，不能增项",
    "registration.specialty_missing": "{specialty}专业不在有效注册中",
    "registration.same_employer": "新聘用企业与现聘用企业相同",
    "registration.other_employer": "申请人只能在现聘用企业办理该业务（不得在两个及以上单位注册）",
    "registration.ok": "与现有注册信息比对一致",
    "application.pending": "申请人有其他正在办理的申请",
    "application.none_pending": "申请人没有其他正在办理的申请",
    "age.over_65": "申请人已年满65周岁（第十五条第十项）",
    "age.ok": "申请人未满65周岁",
    "renewal.too_early": "{specialty}专业尚未到延续注册申请期（{opens}至{closes}）",
    "renewal.too_late": "{specialty}专业已超过延续注册申请期（{opens}至{closes}），应在有效期届满{closes_days}日前申请",
    "renewal.in_window": "{specialty}专业在延续注册申请期内",
    "renewal.not_registered": "{specialty}专业不在申请人的有效注册中，不能延续注册（新增专业应申请增项注册）",
    "education.ok": "{specialty}专业继续教育已完成",
    "education.missing": "{specialty}专业未达到继续教育要求（第十五条第三项）",
    "project.locked": "申请人担任项目负责人的在施项目尚未竣工验收或移交，不能变更执业企业",
    "project.unlocked": "无在施项目锁定",
    "sanction.none": "未发现不予注册情形",
}
SANCTION_PREFIX = "sanction."
_DATE_PARAMS = {"opens", "closes"}


def _shown(name: str, value):
    """Return a parameter as it is printed: specialty names, dates in Chinese."""
    if name == "specialty":
        return specialty_name(str(value))
    if name in _DATE_PARAMS:
        return f"{date.fromisoformat(str(value)):%Y年%m月%d日}"
    return value


def describe(code: str, params: dict | None = None, parameters: Parameters | None = None,
             fallback: str = "") -> str:
    """Return the sentence of a finding, worded now from its code and parameters.

    A sanction's wording is its refusal ground in ``parameters.sanction_rules``. A code this version
    does not know (or parameters that do not fit its wording) gives ``fallback`` or the code itself.
    """
    params = params or {}
    if code.startswith(SANCTION_PREFIX) and code != "sanction.none":
        grounds = {rule.kind: rule.message for rule in (parameters or Parameters()).sanction_rules}
        template = grounds.get(code.removeprefix(SANCTION_PREFIX))
    else:
        template = MESSAGES.get(code)
    if template is None:
        return fallback or code
    try:
        return template.format(**{name: _shown(name, value) for name, value in params.items()})
    except (KeyError, ValueError, IndexError):
        return fallback or code


def describe_stored(finding: dict, parameters: Parameters | None = None) -> str:
    """Return the sentence of a stored finding (``Finding.as_dict``); older rows may still carry a message."""
    return describe(str(finding.get("code", "")), finding.get("params"), parameters,
                    fallback=str(finding.get("message", "")))


@dataclass(frozen=True)
class Finding:
    code: str
    passed: bool
    params: dict = field(default_factory=dict)

    @property
    def message(self) -> str:
        """Return the finding's sentence with the default parameters' wording."""
        return describe(self.code, self.params)

    def as_dict(self) -> dict:
        return {"code": self.code, "passed": self.passed, "params": dict(self.params)}


Rule = Callable[[Facts, Parameters], list[Finding]]


def _ok(code: str, **params) -> Finding:
    return Finding(code, True, params)


def _fail(code: str, **params) -> Finding:
    return Finding(code, False, params)


def _qualification_for(facts: Facts, specialty: str) -> QualificationFact | None:
    for q in facts.qualifications:
        if q.specialty == specialty:
            return q
    return None


def check_qualification(facts: Facts, params: Parameters) -> list[Finding]:
    """Check that the qualification registry holds a matching certificate for each new specialty."""
    if facts.application_type not in {INITIAL, REREG, ADD}:
        return []
    findings = []
    for code in facts.specialties:
        q = _qualification_for(facts, code)
        if q is None:
            findings.append(_fail("qualification.missing", specialty=code))
        elif q.name != facts.person_name or q.id_number != facts.person_id_number:
            findings.append(_fail("qualification.mismatch", specialty=code, management_number=q.management_number))
        else:
            findings.append(_ok("qualification.found", specialty=code, management_number=q.management_number))
    return findings


def check_employer(facts: Facts, params: Parameters) -> list[Finding]:
    """Check that the employer is authenticated, active and may employ registered constructors."""
    if not facts.employer_authenticated:
        return [_fail("employer.unauthenticated")]
    if not facts.employer_active:
        return [_fail("employer.inactive")]
    if not facts.employer_meets_requirements:
        return [_fail("employer.requirements")]
    return [_ok("employer.ok")]


def check_registration_state(facts: Facts, params: Parameters) -> list[Finding]:
    """Check that the application fits the person's registration: one employer, known specialties."""
    t = facts.application_type
    registered = {s.specialty for s in facts.registered_specialties}
    if t in {INITIAL, REREG}:
        if facts.has_active_registration:
            return [_fail("registration.exists")]
        return [_ok("registration.none")]
    if not facts.has_active_registration:
        return [_fail("registration.missing")]
    findings = []
    if t == ADD:
        for code in facts.specialties:
            if code in registered:
                findings.append(_fail("registration.specialty_exists", specialty=code))
    if t == CANCEL:  # a renewal's unknown specialty is check_renewal_window's finding
        for code in facts.specialties:
            if code not in registered:
                findings.append(_fail("registration.specialty_missing", specialty=code))
    if t == CHANGE and facts.change_kind == "employer" and facts.target_employer_id == facts.registered_employer_id:
        findings.append(_fail("registration.same_employer"))
    if t in {ADD, RENEWAL} and facts.target_employer_id != facts.registered_employer_id:
        findings.append(_fail("registration.other_employer"))
    return findings or [_ok("registration.ok")]


def check_open_applications(facts: Facts, params: Parameters) -> list[Finding]:
    if facts.other_open_applications:
        return [_fail("application.pending")]
    return [_ok("application.none_pending")]


def check_age(facts: Facts, params: Parameters) -> list[Finding]:
    """Check that the applicant is under 65 on the day of comparison."""
    if facts.application_type == CANCEL:
        return []
    if facts.today > last_day_under_65(facts.birth_date):
        return [_fail("age.over_65")]
    return [_ok("age.ok")]


def renewal_window(valid_to: date, params: Parameters) -> tuple[date, date]:
    """Return the first and last day on which a specialty expiring on valid_to may be renewed."""
    return valid_to - timedelta(days=params.renewal_opens_days), valid_to - timedelta(days=params.renewal_closes_days)


def check_renewal_window(facts: Facts, params: Parameters) -> list[Finding]:
    if facts.application_type != RENEWAL:
        return []
    findings = []
    by_code = {s.specialty: s for s in facts.registered_specialties}
    for code in facts.specialties:
        spec = by_code.get(code)
        if spec is None:
            findings.append(_fail("renewal.not_registered", specialty=code))
            continue
        opens, closes = renewal_window(spec.valid_to, params)
        window = {"specialty": code, "opens": opens.isoformat(), "closes": closes.isoformat()}
        if facts.today < opens:
            findings.append(_fail("renewal.too_early", **window))
        elif facts.today > closes:
            findings.append(_fail("renewal.too_late", **window, closes_days=params.renewal_closes_days))
        else:
            findings.append(_ok("renewal.in_window", specialty=code))
    return findings


def _education_since(facts: Facts, specialty: str, since: date) -> bool:
    return any(code == specialty and done >= since for code, done in facts.education_completed)


def check_continuing_education(facts: Facts, params: Parameters) -> list[Finding]:
    """Require continuing education where the rules do: renewal, re-registration, and late registrations."""
    t = facts.application_type
    period_start = add_years(facts.today, -params.education_period_years)
    findings = []
    for code in facts.specialties:
        required = t in {RENEWAL, REREG}
        if t in {INITIAL, ADD}:
            q = _qualification_for(facts, code)
            required = q is not None and add_years(q.issued_on, params.qualification_fresh_years) < facts.today
        if not required:
            continue
        if _education_since(facts, code, period_start):
            findings.append(_ok("education.ok", specialty=code))
        else:
            findings.append(_fail("education.missing", specialty=code))
    return findings


def check_project_lock(facts: Facts, params: Parameters) -> list[Finding]:
    if facts.application_type == CHANGE and facts.change_kind == "employer":
        if facts.project_locked:
            return [_fail("project.locked")]
        return [_ok("project.unlocked")]
    return []


def check_sanctions(facts: Facts, params: Parameters) -> list[Finding]:
    """Apply the refusal grounds recorded as sanctions, each with its look-back period."""
    if facts.application_type == CANCEL:
        return []
    findings = []
    rules = {rule.kind: rule for rule in params.sanction_rules}
    for sanction in facts.sanctions:
        rule = rules.get(sanction.kind)
        if rule is None:
            continue
        start = sanction.decided_on if rule.counted_from == "decided" else sanction.completed_on
        if rule.years is None:
            blocking = start is None or start > facts.today if rule.counted_from == "completed" else True
        else:
            blocking = start is None or facts.today < add_years(start, rule.years)
        if blocking:
            findings.append(_fail(f"{SANCTION_PREFIX}{sanction.kind}"))
    return findings or [_ok("sanction.none")]


RULES: list[Rule] = [
    check_qualification,
    check_employer,
    check_registration_state,
    check_open_applications,
    check_age,
    check_renewal_window,
    check_continuing_education,
    check_project_lock,
    check_sanctions,
]


@dataclass
class Comparison:
    findings: list[Finding] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(f.passed for f in self.findings)

    @property
    def failures(self) -> list[Finding]:
        return [f for f in self.findings if not f.passed]


def compare(facts: Facts, params: Parameters | None = None, rules: list[Rule] | None = None) -> Comparison:
    """Run every rule on the facts and return all findings, failed ones included."""
    params = params or Parameters()
    result = Comparison()
    for rule in rules or RULES:
        result.findings.extend(rule(facts, params))
    return result
