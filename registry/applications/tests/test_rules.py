"""The comparison rules and the workflow table, without a database."""

from __future__ import annotations

import importlib
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.applications import rules, workflow
from registry.applications.rules import Facts, QualificationFact, RegisteredSpecialty, SanctionFact
from registry.testing import id_number

TODAY = date(2026, 11, 24)
BUILDING, MUNICIPAL = "10401001", "10401010"
ZHANG_ID = id_number("50010319900101123")


def initial(**changes) -> Facts:
    facts = Facts(
        today=TODAY, application_type="initial", change_kind="", person_name="张三",
        person_id_number=ZHANG_ID, birth_date=date(1990, 1, 1), specialties=(BUILDING,),
        qualifications=(QualificationFact("Q1", "张三", ZHANG_ID, BUILDING, date(2024, 10, 1)),),
        target_employer_id=1,
    )
    return replace(facts, **changes)


def registered(**changes) -> Facts:
    facts = initial(
        application_type="renewal", has_active_registration=True, registered_employer_id=1, target_employer_id=1,
        registered_specialties=(RegisteredSpecialty(BUILDING, date(2023, 12, 31), date(2026, 12, 30)),),
        education_completed=((BUILDING, date(2026, 5, 1)),),
    )
    return replace(facts, **changes)


def failed_codes(facts: Facts, **params) -> list[str]:
    return [f.code for f in rules.compare(facts, rules.Parameters(**params)).failures]


class TestComparison:
    def test_a_clean_initial_application_passes(self):
        result = rules.compare(initial())
        assert result.passed
        assert {f.code for f in result.findings} >= {"qualification.found", "employer.ok", "age.ok", "sanction.none"}

    def test_a_missing_or_foreign_qualification_fails(self):
        assert failed_codes(initial(qualifications=())) == ["qualification.missing"]
        other = QualificationFact("Q1", "张三丰", ZHANG_ID, BUILDING, date(2024, 10, 1))
        assert failed_codes(initial(qualifications=(other,))) == ["qualification.mismatch"]

    @pytest.mark.parametrize("field, code", [
        ("employer_authenticated", "employer.unauthenticated"),
        ("employer_active", "employer.inactive"),
        ("employer_meets_requirements", "employer.requirements"),
    ])
    def test_the_employer_must_be_authenticated_active_and_eligible(self, field, code):
        assert failed_codes(initial(**{field: False})) == [code]

    def test_one_registration_and_one_open_application_at_a_time(self):
        assert failed_codes(initial(has_active_registration=True)) == ["registration.exists"]
        assert failed_codes(initial(other_open_applications=1)) == ["application.pending"]

    def test_age_65_is_the_limit(self):
        assert failed_codes(initial(birth_date=date(1961, 11, 24))) == ["age.over_65"]
        assert failed_codes(initial(birth_date=date(1961, 11, 25))) == []

    def test_the_renewal_window_opens_90_and_closes_30_days_before_expiry(self):
        expiry = date(2026, 12, 30)
        spec = (RegisteredSpecialty(BUILDING, date(2023, 12, 31), expiry),)
        assert failed_codes(registered(today=expiry - timedelta(days=91), registered_specialties=spec)) == ["renewal.too_early"]
        assert failed_codes(registered(today=expiry - timedelta(days=90), registered_specialties=spec)) == []
        assert failed_codes(registered(today=expiry - timedelta(days=30), registered_specialties=spec)) == []
        assert failed_codes(registered(today=expiry - timedelta(days=29), registered_specialties=spec)) == ["renewal.too_late"]
        # A deployment configures another window.
        assert failed_codes(registered(today=expiry - timedelta(days=100), registered_specialties=spec),
                            renewal_opens_days=120) == []

    def test_renewal_needs_continuing_education_of_the_period(self):
        assert failed_codes(registered(education_completed=())) == ["education.missing"]
        assert failed_codes(registered(education_completed=((BUILDING, date(2023, 1, 1)),))) == ["education.missing"]

    def test_a_late_initial_registration_needs_continuing_education(self):
        old = QualificationFact("Q1", "张三", ZHANG_ID, BUILDING, date(2022, 10, 1))
        assert failed_codes(initial(qualifications=(old,))) == ["education.missing"]
        assert failed_codes(initial(qualifications=(old,), education_completed=((BUILDING, date(2026, 1, 5)),))) == []

    def test_add_specialty_refuses_a_registered_one_and_another_employer(self):
        facts = registered(application_type="add_specialty", specialties=(BUILDING,))
        assert "registration.specialty_exists" in failed_codes(facts)
        facts = registered(application_type="add_specialty", specialties=(MUNICIPAL,), target_employer_id=2,
                           qualifications=(QualificationFact("Q2", "张三", ZHANG_ID, MUNICIPAL, date(2025, 1, 1)),))
        assert failed_codes(facts) == ["registration.other_employer"]

    def test_a_renewal_of_a_specialty_not_held_fails_with_its_reason(self):
        facts = registered(specialties=(BUILDING, MUNICIPAL),
                           education_completed=((BUILDING, date(2026, 5, 1)), (MUNICIPAL, date(2026, 5, 1))))
        assert failed_codes(facts) == ["renewal.not_registered"]
        finding = rules.compare(facts).failures[0]
        assert finding.params == {"specialty": MUNICIPAL}
        assert finding.message == "市政公用工程专业不在申请人的有效注册中，不能延续注册（新增专业应申请增项注册）"

    def test_a_cancellation_of_a_specialty_not_held_fails(self):
        facts = registered(application_type="cancellation", specialties=(MUNICIPAL,))
        assert failed_codes(facts) == ["registration.specialty_missing"]

    def test_a_change_of_employer_is_blocked_by_a_project_lock(self):
        facts = registered(application_type="change", change_kind="employer", target_employer_id=2, project_locked=True)
        assert failed_codes(facts) == ["project.locked"]
        facts = registered(application_type="change", change_kind="employer", target_employer_id=1)
        assert failed_codes(facts) == ["registration.same_employer"]

    @pytest.mark.parametrize("kind, decided, completed, blocked", [
        ("serving_sentence", date(2025, 1, 1), None, True),
        ("serving_sentence", date(2020, 1, 1), date(2025, 1, 1), False),
        ("criminal_practice", date(2019, 1, 1), date(2022, 1, 1), True),     # 5 years from completion
        ("criminal_practice", date(2015, 1, 1), date(2021, 11, 23), False),
        ("criminal_other", date(2023, 11, 25), None, True),                 # 3 years from the decision
        ("criminal_other", date(2023, 11, 24), None, False),
        ("certificate_revoked", date(2025, 1, 1), None, True),
        ("certificate_revoked", date(2024, 11, 24), None, False),
        ("major_accident", date(2024, 1, 1), None, True),
        ("false_materials", date(2026, 1, 1), None, True),
        ("false_materials", date(2025, 11, 24), None, False),
        ("fraud", date(2024, 1, 1), None, True),
        ("no_civil_capacity", date(2010, 1, 1), None, True),
    ])
    def test_refusal_grounds_apply_for_their_period(self, kind, decided, completed, blocked):
        codes = failed_codes(initial(sanctions=(SanctionFact(kind, decided, completed),)))
        assert codes == ([f"sanction.{kind}"] if blocked else [])

    def test_every_failure_is_listed_not_just_the_first(self):
        facts = initial(qualifications=(), employer_active=False, other_open_applications=2,
                        sanctions=(SanctionFact("fraud", date(2025, 1, 1)),))
        assert failed_codes(facts) == ["qualification.missing", "employer.inactive", "application.pending", "sanction.fraud"]
        assert all(f.message for f in rules.compare(facts).failures)

    def test_a_deployment_adds_a_rule(self):
        def social_insurance(facts, params):
            return [rules.Finding("social_insurance.mismatch", False, "社保缴纳单位与聘用企业不一致")]

        result = rules.compare(initial(), rules=[*rules.RULES, social_insurance])
        assert [f.code for f in result.failures] == ["social_insurance.mismatch"]


class TestValidity:
    def test_three_years_minus_one_day(self):
        assert rules.validity_end(date(2026, 11, 24), date(1990, 1, 1)) == date(2029, 11, 23)

    def test_capped_before_the_65th_birthday(self):
        assert rules.validity_end(date(2026, 11, 24), date(1962, 3, 1)) == date(2027, 2, 28)

    def test_a_leap_day_start(self):
        assert rules.validity_end(date(2028, 2, 29), date(1990, 1, 1)) == date(2031, 2, 27)

    @given(st.dates(min_value=date(2007, 1, 1), max_value=date(2090, 12, 31)),
           st.dates(min_value=date(1940, 1, 1), max_value=date(2005, 12, 31)))
    def test_validity_never_exceeds_three_years_nor_age_65(self, start, birth):
        end = rules.validity_end(start, birth)
        assert end <= rules.add_years(start, 3) - timedelta(days=1)
        assert end < rules.add_years(birth, 65)


class TestWorkflowTable:
    def test_the_main_path(self):
        status = workflow.Status.DRAFT
        for action in ("submit", "confirm", "accept", "request_supplement", "resubmit_supplement", "approve"):
            status = workflow.next_status(status, action)
        assert status == workflow.Status.APPROVED

    def test_final_statuses_allow_nothing(self):
        for status in workflow.FINAL:
            assert workflow.allowed_actions(status) == []

    def test_an_illegal_move_is_refused(self):
        with pytest.raises(workflow.IllegalTransition):
            workflow.next_status("draft", "approve")
        with pytest.raises(workflow.IllegalTransition):
            workflow.next_status("nonsense", "submit")

    def test_a_cancellation_completes_on_confirmation_without_review(self):
        assert workflow.next_status("awaiting_employer", "complete_cancellation") == workflow.Status.COMPLETED

    def test_the_table_never_leaves_a_final_status(self):
        assert not [key for key in workflow.TRANSITIONS if key[0] in workflow.FINAL]


class TestFindingsAreWordedWhenShown:
    def test_a_finding_keeps_codes_and_parameters_and_is_worded_from_them(self):
        finding = rules.Finding("renewal.too_late", False, {"specialty": BUILDING, "opens": "2026-09-02",
                                                            "closes": "2026-11-01", "closes_days": 45})
        assert finding.as_dict() == {"code": "renewal.too_late", "passed": False, "params": finding.params}
        assert finding.message == "建筑工程专业已超过延续注册申请期（2026年09月02日至2026年11月01日），应在有效期届满45日前申请"

    def test_the_renewal_window_is_worded_with_the_configured_closing_days(self):
        facts = registered(today=date(2026, 12, 20))
        late = [f for f in rules.compare(facts, rules.Parameters(renewal_closes_days=20)).failures
                if f.code == "renewal.too_late"]
        assert late and "有效期届满20日前申请" in late[0].message and late[0].params["closes_days"] == 20

    def test_a_sanction_is_worded_by_the_refusal_grounds_in_force(self):
        grounds = (rules.SanctionRule("fraud", 3, "decided", "新的措辞"),)
        assert rules.describe("sanction.fraud", {}, rules.Parameters(sanction_rules=grounds)) == "新的措辞"
        assert "欺骗" in rules.describe("sanction.fraud")

    def test_a_stored_finding_of_an_unknown_code_shows_its_old_sentence(self):
        assert rules.describe_stored({"code": "custom.rule", "passed": False, "message": "旧的说明"}) == "旧的说明"


class TestTheMigrationOfStoredFindings:
    migration = importlib.import_module("registry.applications.migrations.0004_comparison_findings_as_codes")

    def test_old_sentences_become_codes_and_parameters_and_back(self):
        old = [
            {"code": "qualification.found", "passed": True, "message": "建筑工程专业资格证书（管理号 QA1）比对一致"},
            {"code": "renewal.too_early", "passed": False,
             "message": "市政公用工程专业尚未到延续注册申请期（2026年09月02日至2026年11月01日）"},
            {"code": "employer.ok", "passed": True, "message": "聘用企业已认证且状态正常"},
            {"code": "custom.rule", "passed": False, "message": "无法解读的说明"},
        ]
        new = [self.migration._read(f) for f in old]
        assert new[0] == {"code": "qualification.found", "passed": True,
                          "params": {"specialty": BUILDING, "management_number": "QA1"}}
        assert new[1]["params"] == {"specialty": "10401010", "opens": "2026-09-02", "closes": "2026-11-01"}
        assert new[2] == {"code": "employer.ok", "passed": True, "params": {}}
        assert new[3] == old[3]
        assert [rules.describe_stored(f) for f in new] == [f["message"] for f in old]
        messages = {**rules.MESSAGES}
        assert [self.migration._word(f, messages) for f in new] == old
