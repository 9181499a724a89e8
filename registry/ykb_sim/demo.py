"""Demo data of the simulated 渝快办: its test identities, the demo identity lock and an old account.

Demo only, like the whole simulator. ``load_identity_demo`` is idempotent; ``load_demo`` calls it at the end.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from registry.identifiers import resident_id_check_char, uscc_check_char
from registry.people import lock
from registry.people.hashers import LegacySaltedSHA1PasswordHasher
from registry.people.models import Enterprise, LegacyEnterpriseRecord, LockCertificate, Person, Role
from registry.ykb_sim.models import SimIdentity


def _uscc(first17: str) -> str:
    return first17 + uscc_check_char(first17)


def _id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


# The lock demo: 重庆山城建设工程有限公司 (created by load_demo; found by name, else created here).
LOCK_ENTERPRISE_NAME = "重庆山城建设工程有限公司"
LOCK_ENTERPRISE_CREDIT_CODE = _uscc("91500103MA60001X1")
LOCK_NAME = "shancheng"
# The on-site demo: a new employer of 渝北区, authenticated by the 渝北 district officer.
ONSITE_ENTERPRISE_NAME = "重庆渝北宏达建筑工程有限公司"
ONSITE_ENTERPRISE_CREDIT_CODE = _uscc("91500112MA60009K9")
# An old username/password account of the former system (imported hash: salted SHA-1).
LEGACY_ENTERPRISE_NAME = "重庆沙坪坝城建工程有限公司"
LEGACY_ENTERPRISE_CREDIT_CODE = _uscc("91500106MA60003Q3")
LEGACY_USERNAME = "spb_old"
LEGACY_PASSWORD = "Old-System-2019"


def _identities(shancheng: Enterprise) -> list[dict]:
    """Return the simulator's test identities; the applicants match load_demo's persons by name."""
    persons = {p.name: p.id_number for p in Person.objects.filter(name__in=["张三", "李四", "陈建国", "吴敏", "吴志强"])}
    return [
        {"subject": "ykb-demo-zhangsan", "label": "张三（个人，已实名）", "kind": "person", "name": "张三",
         "id_number": persons.get("张三", _id("50010319900101001")), "mobile": "13800000001"},
        {"subject": "ykb-demo-lisi", "label": "李四（个人，已实名）", "kind": "person", "name": "李四",
         "id_number": persons.get("李四", _id("50011219850615002")), "mobile": "13800000002"},
        {"subject": "ykb-demo-chenjianguo", "label": "陈建国（个人，持纸质注册证书，可换领电子证书）", "kind": "person",
         "name": "陈建国", "id_number": persons.get("陈建国", _id("50010419800808008")), "mobile": "13800000008"},
        {"subject": "ykb-demo-wumin", "label": "吴敏（个人，已取得建筑工程资格，尚未注册）", "kind": "person",
         "name": "吴敏", "id_number": persons.get("吴敏", _id("50010819930909123")), "mobile": "13800000016"},
        {"subject": "ykb-demo-wuzhiqiang", "label": "吴志强（个人，已注册，可变更执业企业）", "kind": "person",
         "name": "吴志强", "id_number": persons.get("吴志强", _id("50011219880909345")), "mobile": "13800000010"},
        {"subject": "ykb-demo-wangwu", "label": "王五（个人，新用户）", "kind": "person", "name": "王五",
         "id_number": _id("50010619920304003"), "mobile": "13800000003"},
        {"subject": "ykb-demo-legal-shancheng", "label": "赵山城（法人：重庆山城建设工程有限公司，用身份锁认证）",
         "kind": "legal", "name": "赵山城", "id_number": _id("50010319700101004"), "mobile": "13800000004",
         "credit_code": shancheng.credit_code, "enterprise_name": shancheng.name},
        {"subject": "ykb-demo-legal-hongda", "label": "钱宏达（法人：重庆渝北宏达建筑工程有限公司，现场认证）",
         "kind": "legal", "name": "钱宏达", "id_number": _id("50011219750505005"), "mobile": "13800000005",
         "credit_code": ONSITE_ENTERPRISE_CREDIT_CODE, "enterprise_name": ONSITE_ENTERPRISE_NAME},
        {"subject": "ykb-demo-legal-spb", "label": "孙沙坪（法人：重庆沙坪坝城建工程有限公司，用原系统密码认证）",
         "kind": "legal", "name": "孙沙坪", "id_number": _id("50010619680808006"), "mobile": "13800000006",
         "credit_code": LEGACY_ENTERPRISE_CREDIT_CODE, "enterprise_name": LEGACY_ENTERPRISE_NAME},
        # Holders of paper certificates of the old registry, imported by scripts/start from
        # `manage.py load_legacy_demo`: signing in links to the imported person by ID number.
        {"subject": "ykb-demo-paper-liuxiaomei", "label": "刘晓梅（个人，持有效纸质证书，可领取电子证书）",
         "kind": "person", "name": "刘晓梅", "id_number": _id("50010519880312002"), "mobile": "13800000008"},
        {"subject": "ykb-demo-paper-zhaojianguo", "label": "赵建国（个人，纸质证书已过期）",
         "kind": "person", "name": "赵建国", "id_number": _id("50010519750618001"), "mobile": "13800000009"},
        {"subject": "ykb-demo-lowlevel", "label": "周低级（个人，实名等级不足）", "kind": "person", "name": "周低级",
         "id_number": _id("50010119950707007"), "mobile": "13800000007", "real_name_level": "L1"},
    ]


def lock_directory() -> Path:
    """Return where the simulator keeps the demo's software locks."""
    return Path(settings.YKB_SIM_KEY_DIR) / "locks"


def _say(stdout, text: str) -> None:
    if stdout is not None:
        stdout.write(text)


@transaction.atomic
def load_identity_demo(stdout=None) -> None:
    """Create the demo's 渝快办 identities, the identity lock of 重庆山城 and an old password account."""
    shancheng = (Enterprise.objects.filter(name=LOCK_ENTERPRISE_NAME).first()
                 or Enterprise.objects.get_or_create(credit_code=LOCK_ENTERPRISE_CREDIT_CODE,
                                                     defaults={"name": LOCK_ENTERPRISE_NAME, "district": "500103"})[0])
    Enterprise.objects.get_or_create(credit_code=ONSITE_ENTERPRISE_CREDIT_CODE,
                                     defaults={"name": ONSITE_ENTERPRISE_NAME, "district": "500112",
                                               "legal_representative": "钱宏达"})
    spb = (Enterprise.objects.filter(name=LEGACY_ENTERPRISE_NAME).first()
           or Enterprise.objects.get_or_create(credit_code=LEGACY_ENTERPRISE_CREDIT_CODE,
                                               defaults={"name": LEGACY_ENTERPRISE_NAME, "district": "500106"})[0])
    for order, data in enumerate(_identities(shancheng)):
        SimIdentity.objects.update_or_create(subject=data.pop("subject"), defaults={**data, "ordering": order})

    # The identity lock: the key stays in a file of the simulator; its certificate is "imported".
    record, _created = LegacyEnterpriseRecord.objects.get_or_create(
        old_credit_code=shancheng.credit_code, name=shancheng.name, defaults={"district": shancheng.district})
    folder = lock_directory()
    if not (folder / f"{LOCK_NAME}.cert.der").exists():
        software_lock = lock.SoftwareLock.create(
            enterprise_name=shancheng.name, credit_code=shancheng.credit_code,
            not_before=datetime(2019, 1, 1, tzinfo=UTC), not_after=datetime(2035, 12, 31, tzinfo=UTC))
        software_lock.save(folder, LOCK_NAME)
    der = (folder / f"{LOCK_NAME}.cert.der").read_bytes()
    LockCertificate.objects.get_or_create(
        fingerprint=lock.fingerprint(der),
        defaults={"record": record, "certificate_der": der, "serial": lock.certificate_serial(der),
                  "not_after": lock.certificate_not_after(der)},
    )

    # The former system's username/password account of 重庆沙坪坝城建 (hash imported as it was).
    User = get_user_model()
    legacy_user, created = User.objects.get_or_create(
        username=LEGACY_USERNAME, defaults={"role": Role.ENTERPRISE, "first_name": "原系统账号"})
    if created:
        legacy_user.password = LegacySaltedSHA1PasswordHasher().encode(LEGACY_PASSWORD, "c0ffee42")
        legacy_user.must_change_password = True
        legacy_user.save(update_fields=["password", "must_change_password"])
    LegacyEnterpriseRecord.objects.get_or_create(
        old_credit_code=spb.credit_code, name=spb.name,
        defaults={"district": spb.district, "legacy_user": legacy_user})
    _say(stdout, "Identity demo: 渝快办 test identities, the 重庆山城 identity lock, the old account "
                 f"{LEGACY_USERNAME} / {LEGACY_PASSWORD}.\n")
