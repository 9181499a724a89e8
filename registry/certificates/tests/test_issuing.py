"""Issuing on approval, superseding, cancelling, expiring, revoking: the rows, the files, the logs."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta

import pytest
from django.db import IntegrityError, transaction

from registry.applications import services as workflow
from registry.applications.errors import WorkflowError
from registry.applications.models import (
    ApplicationStatus,
    ApplicationType,
    ChangeKind,
    Registration,
    RegistrationStatus,
    Specialty,
)
from registry.applications.signals import registration_changed
from registry.applications.tests.conftest import at, reported, under_review
from registry.audit.models import AuditEvent
from registry.certificates import services
from registry.certificates.models import Certificate, CertificateStatus, CertificateTransition
from registry.certificates.sealing import certificate_storage
from registry.certificates.tests.helpers import give_images, seed_certificate, through_review
from registry.identifiers import parse_licence_identifier
from registry.ofd.reader import read_ofd
from registry.seal import sm3, verify_ofd

pytestmark = pytest.mark.django_db


def stored(certificate: Certificate) -> bytes:
    with certificate_storage().open(certificate.storage_name, "rb") as handle:
        return handle.read()


class TestIssuingOnApproval:
    def test_approving_an_initial_registration_issues_a_sealed_certificate(self, world, trust_root):
        application = under_review(world, at(2026, 11, 20))
        workflow.approve_application(actor=world.reviewer, application=application, now=at(2026, 11, 26))

        certificate = Certificate.objects.get(person=world.applicant.person)
        registration = Registration.objects.get(person=world.applicant.person)
        assert certificate.status == CertificateStatus.VALID and certificate.version == 1
        assert certificate.registration == registration
        assert certificate.registration_number == registration.number
        assert (certificate.name, certificate.sex, certificate.id_number) == ("张三", "男", world.applicant.person.id_number)
        assert certificate.employer_name == "重庆山城建设工程有限公司"
        assert certificate.issue_date == date(2026, 11, 26)
        assert certificate.specialties == [{"code": Specialty.BUILDING, "name": "建筑工程", "valid_from": "2026-11-26",
                                            "valid_to": registration.specialties.get().valid_to.isoformat()}]
        # The photo and signature printed are the application's uploads.
        kinds = {m.kind: m.storage_name for m in application.materials.all()}
        assert (certificate.photo_name, certificate.signature_name) == (kinds["photo"], kinds["signature"])
        assert parse_licence_identifier(certificate.licence_identifier).version == 1
        assert certificate.public_id in certificate.verification_url

        content = stored(certificate)
        assert len(content) == certificate.size
        assert hashlib.sha256(content).hexdigest() == certificate.sha256 and sm3(content).hex() == certificate.sm3
        report = verify_ofd(content, trust_roots=[trust_root], strict=True)
        assert report.valid, report.failures
        assert read_ofd(content).custom_data["注册编号"] == registration.number

        transition = CertificateTransition.objects.get(certificate=certificate)
        assert (transition.from_status, transition.to_status, transition.actor) == ("", "valid", world.reviewer)
        assert AuditEvent.objects.filter(action="certificates.certificate.issued", target_id=str(certificate.pk)).exists()

    def test_a_retried_event_never_issues_twice(self, world):
        application = under_review(world, at(2026, 11, 20))
        workflow.approve_application(actor=world.reviewer, application=application, now=at(2026, 11, 26))
        first = Certificate.objects.get()
        registration = Registration.objects.get(pk=first.registration_id)
        registration_changed.send(sender=Registration, registration=registration, application=application,
                                  actor=world.reviewer, now=at(2026, 11, 26), change="approved")
        assert list(Certificate.objects.all()) == [first]

    def test_a_failing_certificate_rolls_the_approval_back(self, world, monkeypatch):
        application = under_review(world, at(2026, 11, 20))

        def broken(data):
            raise services.CertificateRefused("证书版式中的占位符无效", "build_failed")

        monkeypatch.setattr(services, "_seal", broken)
        with pytest.raises(WorkflowError, match="占位符"):
            workflow.approve_application(actor=world.reviewer, application=application, now=at(2026, 11, 26))
        application.refresh_from_db()
        assert application.status == ApplicationStatus.UNDER_REVIEW
        assert not Registration.objects.filter(person=world.applicant.person).exists()
        assert not Certificate.objects.exists()


class TestSuperseding:
    def test_a_renewal_supersedes_the_certificate_with_a_link_to_its_successor(self, world, trust_root):
        person = give_images(world.registered.person)
        old = seed_certificate(person, at(2026, 10, 1))
        through_review(world, world.registered, world.operator_a, at(2026, 11, 2),
                       application_type=ApplicationType.RENEWAL, specialties=[Specialty.BUILDING])

        old.refresh_from_db()
        new = Certificate.objects.get(person=person, status=CertificateStatus.VALID)
        assert old.status == CertificateStatus.SUPERSEDED and old.superseded_by == new and new.supersedes == old
        assert new.version == 2 and new.registration_number == old.registration_number
        assert new.specialties[0]["valid_to"] == "2029-12-31"
        assert parse_licence_identifier(new.licence_identifier).serial == parse_licence_identifier(
            old.licence_identifier).serial
        assert (new.photo_name, new.signature_name) == (old.photo_name, old.signature_name)
        assert old.transitions.last().to_status == CertificateStatus.SUPERSEDED
        # Issued files are never edited: the old one still verifies and is unchanged.
        assert hashlib.sha256(stored(old)).hexdigest() == old.sha256
        assert verify_ofd(stored(new), trust_roots=[trust_root], strict=True).valid

    @pytest.mark.parametrize("kind, create", [
        ("add_specialty", {"application_type": ApplicationType.ADD_SPECIALTY, "specialties": [Specialty.MUNICIPAL]}),
        ("change", {"application_type": ApplicationType.CHANGE, "specialties": [], "change_kind": ChangeKind.PERSONAL,
                    "details": {"name": "李思"}}),
    ])
    def test_add_specialty_and_change_issue_a_new_version(self, world, kind, create):
        person = give_images(world.registered.person)
        old = seed_certificate(person, at(2026, 10, 1))
        through_review(world, world.registered, world.operator_a, at(2026, 11, 2), **create)
        new = Certificate.objects.get(person=person, status=CertificateStatus.VALID)
        assert new.supersedes == old and new.version == 2
        if kind == "add_specialty":
            assert [s["name"] for s in new.specialties] == ["建筑工程", "市政公用工程"]
        else:
            assert new.name == "李思" and old.name == "李四"

    def test_a_change_of_employer_prints_the_new_employer(self, world):
        person = give_images(world.registered.person)
        seed_certificate(person, at(2026, 10, 1))
        through_review(world, world.registered, world.operator_b, at(2026, 11, 2), application_type=ApplicationType.CHANGE,
                       specialties=[], change_kind=ChangeKind.EMPLOYER, employer=world.enterprise_b)
        assert Certificate.objects.get(status=CertificateStatus.VALID).employer_name == "重庆两江路桥建设有限公司"

    def test_a_holder_without_a_photo_on_file_keeps_the_paper_certificate(self, world):
        through_review(world, world.registered, world.operator_a, at(2026, 11, 2),
                       application_type=ApplicationType.RENEWAL, specialties=[Specialty.BUILDING])
        assert not Certificate.objects.exists()
        assert AuditEvent.objects.filter(action="certificates.certificate.not_issued").exists()


class TestCancelling:
    def _add_municipal(self, world, person):
        registration = Registration.objects.get(person=person)
        registration.specialties.create(specialty=Specialty.MUNICIPAL, valid_from=date(2025, 12, 1),
                                        valid_to=date(2028, 11, 30))
        return seed_certificate(person, at(2026, 10, 1))

    def test_cancelling_every_specialty_cancels_the_certificate_at_once(self, world):
        person = give_images(world.registered.person)
        certificate = seed_certificate(person, at(2026, 10, 1))
        application = reported(world.registered, world.operator_a, at(2026, 11, 2),
                               application_type=ApplicationType.CANCELLATION, specialties=[Specialty.BUILDING],
                               details={"cancellation_reason": "解除劳动合同"})
        assert application.status == ApplicationStatus.COMPLETED
        certificate.refresh_from_db()
        assert certificate.status == CertificateStatus.CANCELLED
        transition = certificate.transitions.last()
        assert (transition.to_status, transition.actor) == ("cancelled", world.operator_a)
        assert application.reference in transition.reason
        assert Certificate.objects.count() == 1

    def test_cancelling_some_specialties_issues_a_certificate_with_the_rest(self, world):
        person = give_images(world.registered.person)
        old = self._add_municipal(world, person)
        reported(world.registered, world.operator_a, at(2026, 11, 2), application_type=ApplicationType.CANCELLATION,
                 specialties=[Specialty.BUILDING], details={"cancellation_reason": "不再从事该专业"})
        old.refresh_from_db()
        new = Certificate.objects.get(status=CertificateStatus.VALID)
        assert old.status == CertificateStatus.SUPERSEDED and new.supersedes == old
        assert [s["name"] for s in new.specialties] == ["市政公用工程"]
        assert new.source == "cancellation"

    def test_a_cancelled_registration_never_gets_a_certificate(self, world):
        person = give_images(world.registered.person)
        registration = Registration.objects.get(person=person)
        Registration.objects.filter(pk=registration.pk).update(status=RegistrationStatus.CANCELLED)
        with pytest.raises(services.CertificateRefused) as refused:
            services.issue_certificate(registration=registration, actor=None, now=at(2026, 11, 2), source="seed",
                                       idempotency_key="x", images=services.images_for(person), reason="")
        assert refused.value.code == "cancelled" and "已注销" in refused.value.message

    def test_revocation_is_final_and_needs_a_reviewer_and_a_reason(self, world):
        person = give_images(world.registered.person)
        certificate = seed_certificate(person, at(2026, 10, 1))
        with pytest.raises(services.CertificateRefused, match="只有"):
            services.revoke_certificate(actor=world.registered, certificate=certificate, reason="x", now=at(2026, 11, 2))
        with pytest.raises(services.CertificateRefused, match="理由"):
            services.revoke_certificate(actor=world.reviewer, certificate=certificate, reason=" ", now=at(2026, 11, 2))
        services.revoke_certificate(actor=world.reviewer, certificate=certificate, reason="以欺骗手段取得注册",
                                    now=at(2026, 11, 2))
        certificate.refresh_from_db()
        assert certificate.status == CertificateStatus.REVOKED
        with pytest.raises(services.CertificateRefused, match="不是有效状态"):
            services.revoke_certificate(actor=world.reviewer, certificate=certificate, reason="again",
                                        now=at(2026, 11, 3))
        # Expiry never touches a revoked certificate.
        assert services.expire_certificates(now=at(2030, 1, 1)) == 0


class TestExpiry:
    def test_the_sweep_expires_only_when_every_specialty_has_ended_and_only_once(self, world):
        person = give_images(world.registered.person)
        certificate = seed_certificate(person, at(2026, 10, 1))  # 建筑工程 valid to 2026-12-31
        assert services.expire_certificates(now=at(2026, 12, 31, 23)) == 0
        assert services.expire_certificates(now=at(2027, 1, 1)) == 1
        assert services.expire_certificates(now=at(2027, 1, 2)) == 0
        certificate.refresh_from_db()
        assert certificate.status == CertificateStatus.EXPIRED
        assert certificate.transitions.filter(to_status="expired").count() == 1

    def test_the_command_runs_the_sweep(self, world, time_machine):
        from django.core.management import call_command

        person = give_images(world.registered.person)
        seed_certificate(person, at(2026, 10, 1))
        time_machine.move_to(at(2027, 1, 2), tick=False)
        call_command("expire_certificates")
        assert Certificate.objects.get().status == CertificateStatus.EXPIRED


class TestStoredIfAndOnlyIfRow:
    def test_a_process_dying_after_the_file_is_written_leaves_no_row_and_the_sweep_removes_the_file(
            self, world, own_storage):
        person = give_images(world.registered.person)
        storage = own_storage

        class Killed(Exception):
            pass

        with pytest.raises(Killed), transaction.atomic():
            seed_certificate(person, at(2026, 10, 1))
            raise Killed  # the transaction fails after the file was stored
        assert not Certificate.objects.exists()
        orphans = set(services._walk(storage, ""))
        assert len(orphans) == 1
        # Within the grace period the file is left alone (its transaction may still be running). The times
        # are the file's own (the file system's clock), so the test holds with the process clock moved too.
        written = storage.get_modified_time(next(iter(orphans)))
        assert services.sweep_orphan_files(now=written + timedelta(minutes=59)) == []
        removed = services.sweep_orphan_files(now=written + timedelta(hours=2))
        assert set(removed) == orphans and not any(storage.exists(name) for name in orphans)

    def test_the_sweep_keeps_every_file_a_row_names(self, world):
        person = give_images(world.registered.person)
        certificate = seed_certificate(person, at(2026, 10, 1))
        services.sweep_orphan_files(now=certificate_storage().get_modified_time(certificate.storage_name)
                                    + timedelta(days=1))
        assert certificate_storage().exists(certificate.storage_name)


class TestDatabaseConstraints:
    def test_at_most_one_valid_certificate_per_person_is_a_database_constraint(self, world):
        person = give_images(world.registered.person)
        certificate = seed_certificate(person, at(2026, 10, 1))
        copy = {f.attname: getattr(certificate, f.attname) for f in Certificate._meta.concrete_fields if f.attname != "id"}
        copy.update(version=2, idempotency_key="other", public_id="OTHER", licence_identifier="other",
                    serial="other", storage_name="other.ofd", supersedes_id=None)
        with pytest.raises(IntegrityError), transaction.atomic():
            Certificate.objects.create(**copy)
        copy["status"] = CertificateStatus.SUPERSEDED
        Certificate.objects.create(**copy)  # a second certificate that is not valid is fine

    def test_transitions_are_append_only(self, world):
        person = give_images(world.registered.person)
        transition = seed_certificate(person, at(2026, 10, 1)).transitions.get()
        transition.reason = "changed"
        with pytest.raises(ValueError):
            transition.save()
        with pytest.raises(ValueError):
            transition.delete()
