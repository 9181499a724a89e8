"""Load the demo personas and data: one account for every role, two employers, a registered person.

Demo only: it lives with the simulator, so no production app depends on the demo seeding.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.core.management.base import BaseCommand
from django.db import transaction

from registry import clock
from registry.applications.models import (
    ContinuingEducation,
    Qualification,
    Registration,
    RegistrationSpecialty,
    Specialty,
)
from registry.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from registry.identifiers import resident_id_check_char
from registry.people.models import Enterprise, EnterpriseAuthState, EnterpriseOperator, Person, Role, User
from registry.ykb_sim.demo import load_identity_demo


def demo_id(first17: str) -> str:
    """Return a valid resident ID number from its first 17 digits."""
    return first17 + resident_id_check_char(first17)


ENTERPRISES = [
    # credit code, name, district, authenticated
    ("91500103MA60001X1", "重庆山城建设工程有限公司", "500103", True),
    ("91500112MA60002Y2", "重庆两江路桥建设有限公司", "500112", True),
    ("91500106MA60003Q3", "重庆沙坪坝城建工程有限公司", "500106", False),
]


class Command(BaseCommand):
    help = "Load the demo accounts and data (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        from registry.identifiers import uscc_check_char

        today = clock.today()
        enterprises = {}
        for first17, name, district, authenticated in ENTERPRISES:
            code = first17[:17] + uscc_check_char(first17[:17])
            enterprise, _ = Enterprise.objects.get_or_create(
                credit_code=code, defaults={"name": name, "district": district},
            )
            if authenticated and enterprise.auth_state != EnterpriseAuthState.AUTHENTICATED:
                enterprise.auth_state = EnterpriseAuthState.AUTHENTICATED
                enterprise.auth_method = "demo"
                enterprise.authenticated_at = clock.now()
                enterprise.save(update_fields=["auth_state", "auth_method", "authenticated_at"])
            enterprises[district] = enterprise

        users = {}
        for username, role, description in DEMO_ACCOUNTS:
            user, created = User.objects.get_or_create(username=username, defaults={"role": role})
            if created:
                user.set_password(DEMO_PASSWORD)
                user.first_name = description.split("：")[-1][:30]
                if role == Role.ADMIN:
                    user.is_staff = user.is_superuser = True
                if username == "district_yz":
                    user.district = "500103"
                if username == "district_yb":
                    user.district = "500112"
                user.save()
            users[username] = user

        EnterpriseOperator.objects.get_or_create(user=users["corp_a"], enterprise=enterprises["500103"])
        EnterpriseOperator.objects.get_or_create(user=users["corp_b"], enterprise=enterprises["500112"])

        zhang, _ = Person.objects.get_or_create(
            id_number=demo_id("50010319900101123"),
            defaults={"user": users["zhangsan"], "name": "张三", "sex": "M", "birth_date": date(1990, 1, 1),
                      "mobile": "13800000001", "real_name_level": "L3"},
        )
        li, _ = Person.objects.get_or_create(
            id_number=demo_id("50011219850505234"),
            defaults={"user": users["lisi"], "name": "李四", "sex": "F", "birth_date": date(1985, 5, 5),
                      "mobile": "13800000002", "real_name_level": "L3"},
        )
        # 吴敏 holds a fresh qualification and no registration, and no demo account: she signs in with 渝快办
        # (linked by ID number). The journey of 补正 and of a refusal with its decision letter is hers, so it
        # does not depend on 张三's initial registration.
        wu, _ = Person.objects.get_or_create(
            id_number=demo_id("50010819930909123"),
            defaults={"name": "吴敏", "sex": "F", "birth_date": date(1993, 9, 9), "mobile": "13800000016",
                      "real_name_level": "L3"},
        )
        for user, person in ((users["zhangsan"], zhang), (users["lisi"], li)):
            user.first_name = person.name
            user.save(update_fields=["first_name"])
        # Qualification dates follow today, so the journeys stay as described in any year: 张三's is
        # fresh (no continuing education needed for an initial registration), 李四's building one is old.
        for number, person, specialty, issued_on in (
            ("5002024010100001", zhang, Specialty.BUILDING, today - timedelta(days=420)),
            ("5002021010100002", li, Specialty.BUILDING, today - timedelta(days=5 * 365)),
            ("5002025010100003", li, Specialty.MUNICIPAL, today - timedelta(days=300)),
            ("5002025010100004", wu, Specialty.BUILDING, today - timedelta(days=200)),
        ):
            Qualification.objects.get_or_create(
                management_number=number,
                defaults={"name": person.name, "id_number": person.id_number, "specialty": specialty,
                          "year_obtained": issued_on.year, "issued_on": issued_on},
            )
        ContinuingEducation.objects.get_or_create(id_number=li.id_number, specialty=Specialty.BUILDING,
                                                  defaults={"completed_on": today - timedelta(days=200)})
        if not Registration.objects.filter(person=li).exists():
            # Expires in 60 days, so the renewal window (90 to 30 days before expiry) is open today.
            valid_to = today + timedelta(days=60)
            registration = Registration.objects.create(
                person=li, number="渝2502021202300001", employer=enterprises["500103"],
                registered_on=valid_to - timedelta(days=3 * 365),
            )
            RegistrationSpecialty.objects.create(
                registration=registration, specialty=Specialty.BUILDING,
                valid_from=valid_to - timedelta(days=3 * 365 - 1), valid_to=valid_to,
            )

        # A holder who changes employer (journey 3): registered with 重庆两江路桥 a year ago, far from his
        # renewal window; no account yet, he signs in with 渝快办. load_certificate_demo gives him an e-certificate.
        wu, _ = Person.objects.get_or_create(
            id_number=demo_id("50011219880909345"),
            defaults={"name": "吴志强", "sex": "M", "birth_date": date(1988, 9, 9), "mobile": "13800000010",
                      "real_name_level": "L3"},
        )
        Qualification.objects.get_or_create(
            management_number="5002022010100010",
            defaults={"name": wu.name, "id_number": wu.id_number, "specialty": Specialty.BUILDING,
                      "year_obtained": (today - timedelta(days=2 * 365)).year,
                      "issued_on": today - timedelta(days=2 * 365)},
        )
        if not Registration.objects.filter(person=wu).exists():
            registered_on = today - timedelta(days=365)
            registration = Registration.objects.create(
                person=wu, number="渝2502022202500010", employer=enterprises["500112"], registered_on=registered_on,
            )
            RegistrationSpecialty.objects.create(
                registration=registration, specialty=Specialty.BUILDING, valid_from=registered_on,
                valid_to=registered_on + timedelta(days=3 * 365 - 1),
            )

        # A holder of a paper certificate from the old system (as import_legacy would load him): no account
        # yet; he signs in with 渝快办 and claims the e-certificate with the paper certificate's validity.
        chen, _ = Person.objects.get_or_create(
            id_number=demo_id("50010419800808123"),
            defaults={"name": "陈建国", "sex": "M", "birth_date": date(1980, 8, 8), "mobile": "13800000008",
                      "real_name_level": "L3"},
        )
        if not Registration.objects.filter(person=chen).exists():
            paper_from = today - timedelta(days=400)
            registration = Registration.objects.create(
                person=chen, number="渝2502018202400007", employer=enterprises["500112"], registered_on=paper_from,
                paper_certificate_number="渝00123456",
            )
            RegistrationSpecialty.objects.create(
                registration=registration, specialty=Specialty.MUNICIPAL, valid_from=paper_from,
                valid_to=paper_from + timedelta(days=3 * 365 - 1),
            )

        load_identity_demo(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo data loaded; every demo account's password is {DEMO_PASSWORD}"))
