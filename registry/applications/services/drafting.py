"""The applicant's stage: open a draft, fill it in, upload scans, submit it to the employer, or withdraw."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from registry.applications.errors import Conflict, WorkflowError
from registry.applications.materials import IMAGE_ONLY, missing_materials, required_materials
from registry.applications.models import (
    OPEN_STATUSES,
    Application,
    ApplicationTransition,
    ApplicationType,
    ChangeKind,
    Material,
    MaterialKind,
    Specialty,
)
from registry.applications.rules import renewal_window
from registry.applications.services.common import (
    NEEDS_REGISTRATION,
    active_registration,
    applicant_person,
    local_day,
    next_number,
    require_owner,
    transition,
    validate_specialties,
)
from registry.applications.workflow import EDITABLE, UPLOADABLE, Action
from registry.audit.log import log_action
from registry.files import UploadRejected, clean_upload, store_private
from registry.people.face import FaceCheckRequired, consume_face_check
from registry.people.models import Enterprise, FacePurpose, Person


@transaction.atomic
def create_application(
    *,
    actor,
    application_type: str,
    specialties: list[str],
    now: datetime,
    employer: Enterprise | None = None,
    change_kind: str = "",
    details: dict | None = None,
) -> Application:
    """Open a draft application of the actor's own person."""
    person = applicant_person(actor)
    Person.objects.select_for_update().filter(pk=person.pk).first()  # serialise concurrent drafts of one person
    if application_type not in ApplicationType.values:
        raise WorkflowError(_("申请类型无效。"), code="bad_type")
    if Application.objects.filter(person=person, status__in=OPEN_STATUSES).exists():
        raise WorkflowError(_("您已有正在办理的申请，办结或撤回后才能提出新的申请。"), code="open_application")
    registration = active_registration(person)
    if application_type in NEEDS_REGISTRATION and registration is None:
        raise WorkflowError(_("您目前没有有效的注册，不能办理%(type)s。") % {"type": ApplicationType(application_type).label},
                            code="no_registration")
    if application_type in {ApplicationType.INITIAL, ApplicationType.REREGISTRATION} and registration is not None:
        raise WorkflowError(_("您已有有效注册，不能再申请%(type)s。") % {"type": ApplicationType(application_type).label},
                            code="registration_exists")
    if application_type == ApplicationType.CHANGE:
        if change_kind not in ChangeKind.values:
            raise WorkflowError(_("请选择变更类型。"), code="bad_change_kind")
    else:
        change_kind = ""
    if registration is not None:
        registered = [s.specialty for s in registration.active_specialties()]
        if application_type in {ApplicationType.CHANGE}:
            specialties = registered
        if application_type == ApplicationType.CHANGE and change_kind == ChangeKind.EMPLOYER:
            if employer is None:
                raise WorkflowError(_("请填写新聘用企业。"), code="no_employer")
            if employer.pk == registration.employer_id:
                raise WorkflowError(_("新聘用企业与现聘用企业相同。"), code="same_employer")
        else:
            employer = registration.employer
    if employer is None:
        raise WorkflowError(_("请填写聘用企业。"), code="no_employer")
    specialties = validate_specialties(list(specialties))
    require_specialties_fit(application_type, registration, specialties)
    if application_type == ApplicationType.RENEWAL:
        require_renewal_window(registration, specialties, local_day(now))
    year = local_day(now).year
    reference = f"SQ{year}{next_number(f'application:{year}'):06d}"
    application = Application.objects.create(
        reference=reference, type=application_type, change_kind=change_kind, person=person, employer=employer,
        registration=registration, specialties=specialties, details=details or {}, created_at=now,
    )
    ApplicationTransition.objects.create(
        application=application, at=now, actor=actor, from_status="", to_status=application.status, action="create",
    )
    log_action("applications.application.created", now=now, actor=actor, target=application, details={"reference": reference})
    return application


@transaction.atomic
def update_application(*, actor, application: Application, now: datetime, specialties: list[str] | None = None,
                       employer: Enterprise | None = None, details: dict | None = None) -> Application:
    """Change the data of an editable application of the actor's own."""
    require_owner(actor, application)
    if application.status not in EDITABLE:
        raise WorkflowError(_("申请已提交，不能再修改。"), code="not_editable")
    fields = {}
    if specialties is not None and application.type not in {ApplicationType.CHANGE}:
        fields["specialties"] = validate_specialties(specialties)
        require_specialties_fit(application.type, application.registration, fields["specialties"])
    # The employer is the applicant's choice only for a first registration or a change of employer.
    chooses_employer = application.registration_id is None or (
        application.type == ApplicationType.CHANGE and application.change_kind == ChangeKind.EMPLOYER)
    if employer is not None and chooses_employer:
        fields["employer"] = employer
    if details is not None:
        fields["details"] = {**application.details, **details}
    changed = Application.objects.filter(pk=application.pk, status=application.status).update(updated_at=now, **fields)
    if changed != 1:
        raise Conflict(_("该申请的状态已变化，请刷新页面后重试。"))
    for key, value in fields.items():
        setattr(application, key, value)
    return application


@transaction.atomic
def add_material(*, actor, application: Application, kind: str, data: bytes, original_name: str,
                 now: datetime) -> Material:
    """Check, re-encode and store one uploaded scan; earlier uploads of the same kind stay until removed."""
    require_owner(actor, application)
    if application.status not in UPLOADABLE:
        raise WorkflowError(_("当前状态下不能上传材料。"), code="not_editable")
    if kind not in MaterialKind.values:
        raise WorkflowError(_("材料类型无效。"), code="bad_kind")
    try:
        clean = clean_upload(data, images_only=kind in IMAGE_ONLY)
    except UploadRejected as exc:
        raise WorkflowError(exc.message, code="bad_upload") from None
    name = store_private(clean, f"materials/{application.pk}")
    material = Material.objects.create(
        application=application, kind=kind, storage_name=name, original_name=_safe_name(original_name),
        content_type=clean.content_type, size=len(clean.content), sha256=clean.sha256, uploaded_at=now,
    )
    log_action("applications.material.uploaded", now=now, actor=actor, target=application,
               details={"kind": kind, "sha256": clean.sha256})
    return material


def _safe_name(name: str) -> str:
    """Return a display name with no path and no control characters."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    return "".join(ch for ch in base if ch.isprintable())[:100] or "file"


@transaction.atomic
def remove_material(*, actor, material: Material, now: datetime) -> None:
    application = material.application
    require_owner(actor, application)
    if application.status not in UPLOADABLE:
        raise WorkflowError(_("当前状态下不能删除材料。"), code="not_editable")
    material.delete()
    log_action("applications.material.removed", now=now, actor=actor, target=application, details={"kind": material.kind})


def missing_for(application: Application) -> list[str]:
    present = set(application.materials.values_list("kind", flat=True))
    return missing_materials(application.type, application.change_kind, present)


def required_for(application: Application) -> list[tuple[str, str]]:
    """Return (kind, label) of the materials this application needs."""
    return [(kind, str(MaterialKind(kind).label)) for kind in required_materials(application.type, application.change_kind)]


@transaction.atomic
def submit_application(*, actor, application: Application, now: datetime) -> Application:
    """Send the application to the employer for confirmation; needs a fresh face check of the applicant."""
    person = require_owner(actor, application)
    if application.status not in EDITABLE:
        raise WorkflowError(_("申请已提交，不能重复提交。"), code="illegal_transition")
    missing = missing_for(application)
    if missing:
        labels = "、".join(str(MaterialKind(kind).label) for kind in missing)
        raise WorkflowError(_("还缺少以下材料：%(materials)s。") % {"materials": labels}, code="missing_materials")
    require_specialties_fit(application.type, application.registration, application.specialties)
    if application.type == ApplicationType.RENEWAL:
        require_renewal_window(application.registration, application.specialties, local_day(now))
    try:
        check = consume_face_check(person, FacePurpose.SUBMIT, now=now, used_for=application.reference)
    except FaceCheckRequired as exc:
        raise WorkflowError(exc.message, code="face_check_required") from None
    return transition(application, Action.SUBMIT, actor=actor, now=now, details={"face_check": check.result_id[:8]})


def _chinese_date(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def _specialty_names(codes: list[str]) -> str:
    return "、".join(str(Specialty(code).label) if code in Specialty.values else code for code in codes)


def require_specialties_fit(application_type: str, registration, specialties: list[str]) -> None:
    """Refuse specialties that do not fit the registration: a renewal or a cancellation names held ones only,
    an added specialty must not be held already. Each refusal names the specialties and why."""
    held = {s.specialty for s in registration.active_specialties()} if registration else set()
    if application_type == ApplicationType.RENEWAL:
        unknown = [code for code in specialties if code not in held]
        if unknown:
            raise WorkflowError(_("%(specialties)s专业不在您的有效注册中：延续注册只能办理已注册的专业，"
                                  "新增专业请申请增项注册。") % {"specialties": _specialty_names(unknown)},
                                code="specialty_not_registered")
    elif application_type == ApplicationType.CANCELLATION:
        unknown = [code for code in specialties if code not in held]
        if unknown:
            raise WorkflowError(_("%(specialties)s专业不在您的有效注册中：只能注销已注册的专业。")
                                % {"specialties": _specialty_names(unknown)}, code="specialty_not_registered")
    elif application_type == ApplicationType.ADD_SPECIALTY:
        known = [code for code in specialties if code in held]
        if known:
            raise WorkflowError(_("%(specialties)s专业已在您的有效注册中，不能再增项注册；"
                                  "有效期将届满时请申请延续注册。") % {"specialties": _specialty_names(known)},
                                code="specialty_already_registered")


def require_renewal_window(registration, specialties: list[str], today) -> None:
    """Refuse a renewal outside its window (opens 90, closes 30 days before expiry), naming the window's dates.

    A specialty the registration does not hold has no window: it is refused too."""
    from registry.applications.services.acceptance import comparison_parameters

    require_specialties_fit(ApplicationType.RENEWAL, registration, specialties)
    parameters = comparison_parameters()
    by_code = {s.specialty: s for s in registration.active_specialties()} if registration else {}
    for code in specialties:
        spec = by_code[code]
        opens, closes = renewal_window(spec.valid_to, parameters)
        window = {"specialty": spec.get_specialty_display(), "opens": _chinese_date(opens),
                  "closes": _chinese_date(closes), "valid_to": _chinese_date(spec.valid_to)}
        if today < opens:
            raise WorkflowError(_("%(specialty)s专业的有效期至%(valid_to)s，延续注册申请期为%(opens)s至%(closes)s，"
                                  "尚未到申请期，请在申请期内提出。") % window, code="renewal_too_early")
        if today > closes:
            raise WorkflowError(_("%(specialty)s专业的有效期至%(valid_to)s，延续注册申请期为%(opens)s至%(closes)s，"
                                  "已超过申请期，不能再申请延续注册。") % window, code="renewal_too_late")


@transaction.atomic
def withdraw_application(*, actor, application: Application, now: datetime, reason: str = "") -> Application:
    require_owner(actor, application)
    return transition(application, Action.WITHDRAW, actor=actor, now=now, reason=reason)
