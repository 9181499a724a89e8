"""Stored comparison findings become (code, parameters); their sentences are worded when shown.

Rows written before this migration carry each finding's sentence as it was worded then. The forward
step reads the parameters back out of those sentences (the wording below is that of the rules up to
this migration, frozen here on purpose) and drops the sentence; a sentence it cannot read is kept,
and the page shows it as it was. The backward step words the parameters again the old way.
"""

import re
from datetime import date

from django.db import migrations

SPECIALTIES = {
    "10401001": "建筑工程", "10401002": "公路工程", "10401005": "水利水电工程",
    "10401007": "矿业工程", "10401010": "市政公用工程", "10401012": "机电工程",
}
# The wording of the findings with parameters, as the rules printed them before (codes without
# parameters were worded by their code alone and need no reading).
OLD_WORDING = {
    "qualification.missing": "资格库中未找到申请人{specialty}专业的资格证书",
    "qualification.mismatch": "{specialty}专业资格证书（管理号 {management_number}）的姓名或身份证件号码与申请人不一致",
    "qualification.found": "{specialty}专业资格证书（管理号 {management_number}）比对一致",
    "registration.specialty_exists": "{specialty}专业已经注册，不能增项",
    "registration.specialty_missing": "{specialty}专业不在有效注册中",
    "renewal.too_early": "{specialty}专业尚未到延续注册申请期（{opens}至{closes}）",
    "renewal.too_late": "{specialty}专业已超过延续注册申请期（{opens}至{closes}），应在有效期届满{closes_days}日前申请",
    "renewal.in_window": "{specialty}专业在延续注册申请期内",
    "education.ok": "{specialty}专业继续教育已完成",
    "education.missing": "{specialty}专业未达到继续教育要求（第十五条第三项）",
}
# Codes worded without parameters (a sanction's wording is its refusal ground, looked up by its code).
PLAIN_CODES = {
    "employer.unauthenticated", "employer.inactive", "employer.requirements", "employer.ok",
    "registration.exists", "registration.none", "registration.missing", "registration.same_employer",
    "registration.other_employer", "registration.ok", "application.pending", "application.none_pending",
    "age.over_65", "age.ok", "project.locked", "project.unlocked", "sanction.none",
}
DATE = re.compile(r"(\d{4})年(\d{2})月(\d{2})日")


def _pattern(wording: str) -> re.Pattern:
    parts = re.split(r"\{(\w+)\}", wording)
    regex = "".join(re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts))
    return re.compile(f"^{regex}$")


PATTERNS = {code: _pattern(wording) for code, wording in OLD_WORDING.items()}
CODES_OF_NAMES = {name: code for code, name in SPECIALTIES.items()}


def _read(finding: dict) -> dict:
    """Return the finding as (code, passed, params), or unchanged when its sentence cannot be read."""
    if "params" in finding or "message" not in finding:
        return finding
    code = finding.get("code", "")
    params = {}
    if code not in PATTERNS and code not in PLAIN_CODES and not code.startswith("sanction."):
        return finding
    if code in PATTERNS:
        match = PATTERNS[code].match(finding["message"])
        if match is None:
            return finding
        for name, value in match.groupdict().items():
            if name == "specialty":
                if value not in CODES_OF_NAMES:
                    return finding
                value = CODES_OF_NAMES[value]
            elif name in {"opens", "closes"}:
                day = DATE.fullmatch(value)
                if day is None:
                    return finding
                value = date(*map(int, day.groups())).isoformat()
            elif name == "closes_days":
                value = int(value)
            params[name] = value
    return {"code": code, "passed": finding.get("passed"), "params": params}


def _word(finding: dict, messages: dict) -> dict:
    """Return the finding with its sentence worded the old way (for migrating backwards)."""
    if "message" in finding:
        return finding
    code, params = finding.get("code", ""), dict(finding.get("params") or {})
    if "specialty" in params:
        params["specialty"] = SPECIALTIES.get(params["specialty"], params["specialty"])
    for name in ("opens", "closes"):
        if name in params:
            params[name] = f"{date.fromisoformat(params[name]):%Y年%m月%d日}"
    wording = OLD_WORDING.get(code) or messages.get(code, code)
    return {"code": code, "passed": finding.get("passed"), "message": wording.format(**params)}


def _convert(apps, change) -> None:
    Application = apps.get_model("applications", "Application")
    for application in Application.objects.exclude(comparison=[]).only("pk", "comparison").iterator():
        findings = [change(f) for f in application.comparison if isinstance(f, dict)]
        if findings != application.comparison:
            Application.objects.filter(pk=application.pk).update(comparison=findings)


def forwards(apps, schema_editor):
    _convert(apps, _read)


def backwards(apps, schema_editor):
    from registry.applications.rules import DEFAULT_SANCTION_RULES, MESSAGES

    messages = {**MESSAGES, **{f"sanction.{rule.kind}": rule.message for rule in DEFAULT_SANCTION_RULES}}
    _convert(apps, lambda finding: _word(finding, messages))


class Migration(migrations.Migration):

    dependencies = [
        ('applications', '0003_registration_paper_certificate_number'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
