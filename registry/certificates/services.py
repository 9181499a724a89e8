"""Every state change of e-certificates: issue, supersede, cancel, revoke, expire, claim, download.

Invariants kept here:

- A row exists if and only if its sealed file is stored. The file is written under a fresh random name
  before the row is inserted in the caller's transaction; if that transaction fails the file is left
  without a row and ``sweep_orphan_files`` removes it after a grace period.
- A retry of the same registration change never issues twice: each change has an idempotency key,
  unique in the database, and a retry returns the certificate the key already names.
- At most one valid certificate per person: the previous one is superseded (compare-and-set) in the
  same transaction before the new row is inserted; a partial unique index backs this up.
- Cancellation and revocation are final, and a cancelled registration never gets a valid certificate.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from registry import clock
from registry.applications.errors import WorkflowError
from registry.applications.models import (
    Application,
    Material,
    MaterialKind,
    Registration,
    RegistrationStatus,
    Specialty,
)
from registry.audit.log import log_action
from registry.certificates.document import CertificateData, CertificateError, build_certificate
from registry.certificates.models import (
    Certificate,
    CertificateSource,
    CertificateStatus,
    CertificateTransition,
)
from registry.certificates.sealing import certificate_storage, get_layout, get_sealing
from registry.certificates.signature_image import SignatureRejected, clean_signature
from registry.certificates.verification import new_public_id, verification_url
from registry.files import CleanFile, UploadRejected, clean_upload, open_private, store_private
from registry.identifiers import build_licence_identifier
from registry.people.face import consume_face_check
from registry.people.models import FacePurpose, Person, Role
from registry.seal import sm3

logger = logging.getLogger(__name__)

FILE_SUFFIX = ".ofd"


class CertificateRefused(WorkflowError):
    """The certificate action is not allowed now; the message says why (Chinese), code for machines.

    A workflow error, so a refusal raised inside an approval reaches the reviewer as a message.
    """


@dataclass(frozen=True)
class Images:
    """The photo and signature to print, with their private-storage names."""

    photo_name: str
    signature_name: str
    photo: bytes
    signature: bytes


# --- issuing -----------------------------------------------------------------------------------

def issue_certificate(
    *,
    registration: Registration,
    actor,
    now: datetime,
    source: str,
    idempotency_key: str,
    images: Images,
    reason: str,
) -> Certificate:
    """Issue the person's new certificate for the registration's current data; supersede the old one.

    1. Lock the registration; a key already used returns its certificate (a retried event).
    2. Refuse a cancelled registration or one with no specialty still valid.
    3. Build and seal the OFD, write it to storage under a new random name.
    4. Supersede the person's valid certificate (compare-and-set), insert the new row, log both.
    Runs inside the caller's transaction (or its own).
    """
    with transaction.atomic():
        registration = Registration.objects.select_for_update().select_related("employer").get(pk=registration.pk)
        existing = Certificate.objects.filter(idempotency_key=idempotency_key).first()
        if existing is not None:
            return existing
        if registration.status != RegistrationStatus.ACTIVE:
            raise CertificateRefused(_("该注册已注销，不能签发电子证书。"), "cancelled")
        today = timezone.localdate(now)
        specialties = _specialties_of(registration, today)
        if not specialties:
            raise CertificateRefused(_("该注册没有仍在有效期内的专业，不能签发电子证书。"), "expired")
        person = Person.objects.get(pk=registration.person_id)  # fresh: a personal change may have just updated it
        version = (Certificate.objects.filter(registration=registration).aggregate(v=Max("version"))["v"] or 0) + 1
        public_id = new_public_id()
        data = _certificate_data(person, registration, specialties, today, images, public_id, version)
        content = _seal(data)
        storage = certificate_storage()
        # Written before the row: if the transaction fails from here on, the file is an orphan the sweep removes.
        name = storage.save(f"{today:%Y/%m}/{public_id}{FILE_SUFFIX}", ContentFile(content))
        previous = (Certificate.objects.select_for_update()
                    .filter(person=person, status=CertificateStatus.VALID).first())
        if previous is not None:
            _change_status(previous, CertificateStatus.SUPERSEDED, actor=actor, now=now,
                           reason=_("换发新证（第%(version)d版）") % {"version": version})
        certificate = Certificate.objects.create(
            person=person, registration=registration, version=version, source=source,
            idempotency_key=idempotency_key, public_id=public_id, licence_identifier=data.licence_identifier,
            serial=data.certificate_serial, name=data.name, sex=data.sex, birth_date=data.birth_date,
            id_number=data.id_number, registration_number=data.registration_number,
            employer_name=data.employer_name,
            specialties=[{"code": code, "name": label, "valid_from": start.isoformat(), "valid_to": end.isoformat()}
                         for code, label, start, end in specialties],
            valid_until=max(end for _code, _label, _start, end in specialties), issue_date=today,
            authority_name=data.authority_name, verification_url=data.verification_url,
            photo_name=images.photo_name, signature_name=images.signature_name, storage_name=name,
            size=len(content), sm3=sm3(content).hex(), sha256=hashlib.sha256(content).hexdigest(),
            issued_at=now, sealed_at=clock.now(), status_changed_at=now, supersedes=previous,
        )
        CertificateTransition.objects.create(certificate=certificate, at=now, actor=_user(actor), from_status="",
                                             to_status=CertificateStatus.VALID, reason=reason[:200])
        log_action("certificates.certificate.issued", actor=actor, now=now, target=certificate,
                   details={"serial": certificate.serial, "version": version, "source": source,
                            "supersedes": previous.serial if previous else ""})
        return certificate


def _specialties_of(registration: Registration, today: date) -> list[tuple[str, str, date, date]]:
    labels = dict(Specialty.choices)
    return [
        (s.specialty, str(labels.get(s.specialty, s.specialty)), s.valid_from, s.valid_to)
        for s in registration.specialties.filter(status=RegistrationStatus.ACTIVE, valid_to__gte=today)
        .order_by("specialty")
    ]


def _certificate_data(person: Person, registration: Registration, specialties, today: date, images: Images,
                      public_id: str, version: int) -> CertificateData:
    serial_part = re.sub(r"[^0-9A-Z]", "", registration.number.upper())
    licence = build_licence_identifier(settings.CERTIFICATE_LICENCE_TYPE_CODE, settings.CERTIFICATE_ISSUER_CODE,
                                       serial_part, version)
    return CertificateData(
        name=person.name, sex=person.get_sex_display(), birth_date=person.birth_date, id_number=person.id_number,
        registration_number=registration.number, employer_name=registration.employer.name,
        specialties=[(label, start, end) for _code, label, start, end in specialties], issue_date=today,
        authority_name=settings.AUTHORITY_NAME, photo=images.photo, signature=images.signature,
        certificate_serial=f"CQ{serial_part}{version:03d}", licence_identifier=licence,
        verification_url=verification_url(settings.CERTIFICATE_VERIFY_BASE_URL, public_id,
                                          settings.CERTIFICATE_VERIFICATION_KEY),
    )


def _seal(data: CertificateData) -> bytes:
    """Return the sealed OFD. The seal records the moment it is made (the real clock), the page the issue date."""
    sealing = get_sealing()
    try:
        return build_certificate(data, layout=get_layout(), signer=sealing.signer, seal=sealing.seal,
                                 sign_time=clock.now().replace(microsecond=0))
    except CertificateError as exc:
        raise CertificateRefused(str(exc), "build_failed") from exc


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _change_status(certificate: Certificate, to_status: str, *, actor, now: datetime, reason: str) -> bool:
    """Move a valid certificate to another status by compare-and-set; return whether this call did it."""
    changed = Certificate.objects.filter(pk=certificate.pk, status=CertificateStatus.VALID).update(
        status=to_status, status_changed_at=now)
    if not changed:
        return False
    CertificateTransition.objects.create(certificate=certificate, at=now, actor=_user(actor),
                                         from_status=CertificateStatus.VALID, to_status=to_status,
                                         reason=reason[:200])
    log_action(f"certificates.certificate.{to_status}", actor=actor, now=now, target=certificate,
               details={"serial": certificate.serial, "reason": reason[:200]})
    certificate.status, certificate.status_changed_at = to_status, now
    return True


# --- the images printed ------------------------------------------------------------------------

def images_for(person: Person, application: Application | None = None) -> Images | None:
    """Return the photo and signature to print: the application's uploads, else the last certificate's, else the person's."""
    names: dict[str, str] = {}
    if application is not None:
        for kind in (MaterialKind.PHOTO, MaterialKind.SIGNATURE):
            material = Material.objects.filter(application=application, kind=kind).order_by("-uploaded_at").first()
            if material is not None:
                names[kind] = material.storage_name
    last = Certificate.objects.filter(person=person).order_by("-issued_at", "-pk").first()
    if last is not None:
        names.setdefault(MaterialKind.PHOTO, last.photo_name)
        names.setdefault(MaterialKind.SIGNATURE, last.signature_name)
    if person.photo:
        names.setdefault(MaterialKind.PHOTO, person.photo)
    if person.signature:
        names.setdefault(MaterialKind.SIGNATURE, person.signature)
    photo, signature = names.get(MaterialKind.PHOTO), names.get(MaterialKind.SIGNATURE)
    if not photo or not signature:
        return None
    try:
        return Images(photo, signature, open_private(photo), open_private(signature))
    except FileNotFoundError:
        logger.error("a stored photo or signature of a certificate is missing")
        return None


# --- reacting to registrations -----------------------------------------------------------------

def on_registration_changed(*, registration: Registration, application: Application, actor, now: datetime,
                            change: str) -> Certificate | None:
    """Issue, re-issue or cancel the certificate for a registration change (inside the change's transaction)."""
    if change == "cancelled":
        cancel_certificates(registration=registration, actor=actor, now=now,
                            reason=_("注销注册（申请 %(ref)s）") % {"ref": application.reference})
        return None
    person = Person.objects.get(pk=registration.person_id)
    if change == "specialties_cancelled":
        if not Certificate.objects.filter(registration=registration, status=CertificateStatus.VALID).exists():
            return None  # nothing printed to correct (e.g. a paper holder who has not claimed yet)
        images = images_for(person)
        source, reason = CertificateSource.CANCELLATION, _("注销部分专业后换发（申请 %(ref)s）")
    elif change == "approved":
        images = images_for(person, application)
        source, reason = CertificateSource.APPROVAL, _("%(type)s审批通过（申请 %(ref)s）")
    else:
        return None
    reason = reason % {"ref": application.reference, "type": application.get_type_display()}
    if images is None:
        # A holder of a paper certificate with no photo on file keeps the paper one and claims later.
        log_action("certificates.certificate.not_issued", actor=actor, now=now, target=registration,
                   details={"application": application.reference, "why": "no_photo_or_signature"})
        return None
    return issue_certificate(registration=registration, actor=actor, now=now, source=source,
                             idempotency_key=f"{change}:{application.pk}", images=images, reason=reason)


def cancel_certificates(*, registration: Registration, actor, now: datetime, reason: str) -> int:
    """Cancel the valid certificate of a registration at once (final); return how many were cancelled."""
    cancelled = 0
    for certificate in Certificate.objects.select_for_update().filter(registration=registration,
                                                                     status=CertificateStatus.VALID):
        cancelled += _change_status(certificate, CertificateStatus.CANCELLED, actor=actor, now=now, reason=reason)
    return cancelled


@transaction.atomic
def revoke_certificate(*, actor, certificate: Certificate, reason: str, now: datetime) -> Certificate:
    """Revoke a valid certificate (吊销/撤销, final): only the authority's reviewers, with a reason."""
    if actor is None or getattr(actor, "role", None) not in {Role.REVIEWER, Role.ADMIN}:
        raise CertificateRefused(_("只有市住房城乡建委工作人员可以撤销电子证书。"), "not_allowed")
    reason = (reason or "").strip()
    if not reason:
        raise CertificateRefused(_("撤销电子证书必须写明理由。"), "reason_required")
    if not _change_status(certificate, CertificateStatus.REVOKED, actor=actor, now=now, reason=reason):
        raise CertificateRefused(_("该电子证书已不是有效状态，不能撤销。"), "not_valid")
    return certificate


# --- sweeps ------------------------------------------------------------------------------------

def expire_certificates(*, now: datetime) -> int:
    """Mark expired every valid certificate whose last specialty has ended; safe to run any number of times."""
    today = timezone.localdate(now)
    expired = 0
    due = Certificate.objects.filter(status=CertificateStatus.VALID, valid_until__lt=today)
    for certificate in due.order_by("valid_until", "pk"):
        with transaction.atomic():
            expired += _change_status(certificate, CertificateStatus.EXPIRED, actor=None, now=now,
                                      reason=_("全部注册专业已过有效期"))
    return expired


def sweep_orphan_files(*, now: datetime, grace: timedelta | None = None) -> list[str]:
    """Delete stored certificate files that no row names and that are older than the grace period."""
    grace = grace if grace is not None else timedelta(seconds=settings.CERTIFICATE_ORPHAN_GRACE_SECONDS)
    storage = certificate_storage()
    removed = []
    for name in _walk(storage, ""):
        if not name.endswith(FILE_SUFFIX) or Certificate.objects.filter(storage_name=name).exists():
            continue
        if storage.get_modified_time(name) > now - grace:
            continue  # perhaps a transaction still running: leave it until the grace period is over
        storage.delete(name)
        removed.append(name)
    if removed:
        log_action("certificates.files.orphans_removed", now=now, details={"count": len(removed)})
    return removed


def _walk(storage, folder: str):
    try:
        folders, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    prefix = f"{folder}/" if folder else ""
    for name in files:
        yield prefix + name
    for sub in folders:
        yield from _walk(storage, prefix + sub)


# --- holders -----------------------------------------------------------------------------------

def download_certificate(*, actor, certificate: Certificate, now: datetime, ip: str | None = None) -> bytes:
    """Return the sealed file to its holder after a single-use face check (purpose download); audit it."""
    person = _holder(actor, certificate)
    with transaction.atomic():
        check = consume_face_check(person, FacePurpose.DOWNLOAD, now=now, used_for=f"certificate:{certificate.pk}")
        log_action("certificates.certificate.downloaded", actor=actor, target=certificate, now=now, ip=ip,
                   details={"serial": certificate.serial, "status": certificate.status, "face_check": check.pk})
    with certificate_storage().open(certificate.storage_name, "rb") as handle:
        return handle.read()


def _holder(actor, certificate: Certificate) -> Person:
    person = getattr(actor, "person", None) if actor is not None else None
    if person is None or actor.role != Role.APPLICANT or certificate.person_id != person.pk:
        raise CertificateRefused(_("只能下载本人的电子证书。"), "not_yours")
    return person


def claim_paper_certificate(*, actor, paper_number: str, signature: bytes, photo: bytes | None,
                            now: datetime) -> Certificate:
    """Issue the e-certificate of a still-valid paper certificate to its holder, keeping its validity.

    The holder must be the signed-in 渝快办 person of the registration, have passed a face check for
    the claim (consumed here), and upload a photo of their signature (cropped, made transparent).
    """
    person = getattr(actor, "person", None) if actor is not None else None
    if person is None or actor.role != Role.APPLICANT:
        raise CertificateRefused(_("请使用渝快办实名登录后领取电子证书。"), "not_allowed")
    paper_number = (paper_number or "").strip()
    registration = Registration.objects.filter(paper_certificate_number=paper_number).first() if paper_number else None
    if registration is None or registration.person_id != person.pk:
        raise CertificateRefused(_("未找到您本人名下编号为该号码的纸质注册证书，请核对证书编号。"), "not_yours")
    with transaction.atomic():
        registration = Registration.objects.select_for_update().get(pk=registration.pk)
        if registration.status != RegistrationStatus.ACTIVE:
            raise CertificateRefused(_("该纸质证书对应的注册已注销，不能领取电子证书。"), "cancelled")
        if Certificate.objects.filter(registration=registration).exists():
            raise CertificateRefused(_("该纸质证书已领取过电子证书，请在电子证书管理中查看。"), "already_claimed")
        if not _specialties_of(registration, timezone.localdate(now)):
            raise CertificateRefused(_("该纸质证书的注册专业均已过有效期，请申请延续注册。"), "expired")
        images = _claim_images(person, signature, photo)
        consume_face_check(person, FacePurpose.CLAIM, now=now, used_for=f"certificate-claim:{registration.pk}")
        certificate = issue_certificate(
            registration=registration, actor=actor, now=now, source=CertificateSource.CLAIM,
            idempotency_key=f"claim:{registration.pk}", images=images,
            reason=_("纸质证书换领电子证书（纸质证书编号 %(number)s）") % {"number": paper_number},
        )
        log_action("certificates.paper.claimed", actor=actor, now=now, target=certificate,
                   details={"paper_certificate_number": paper_number})
        return certificate


def _claim_images(person: Person, signature: bytes, photo: bytes | None) -> Images:
    try:
        transparent = clean_signature(signature, max_bytes=settings.UPLOAD_MAX_BYTES)
    except SignatureRejected as exc:
        raise CertificateRefused(str(exc), "bad_signature") from None
    signature_name = store_private(CleanFile(transparent, "image/png", "png",
                                             hashlib.sha256(transparent).hexdigest()), "signatures")
    if photo:
        try:
            clean = clean_upload(photo, images_only=True)
        except UploadRejected as exc:
            raise CertificateRefused(exc.message, "bad_photo") from None
        photo_name = store_private(clean, "photos")
        photo_bytes = clean.content
    elif person.photo:
        photo_name, photo_bytes = person.photo, open_private(person.photo)
    else:
        raise CertificateRefused(_("请上传本人一寸免冠照片。"), "photo_required")
    return Images(photo_name, signature_name, photo_bytes, transparent)
