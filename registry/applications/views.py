"""Pages of applicants, employers and reviewers. Views parse input, call a service and render."""

from __future__ import annotations

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from registry.applications import deadlines, services
from registry.applications.access import (
    applications_visible_to,
    get_application_for,
    staff_of,
)
from registry.applications.errors import WorkflowError
from registry.applications.forms import (
    EditApplicationForm,
    NewApplicationForm,
    ReasonForm,
    RefuseForm,
    UploadForm,
)
from registry.applications.models import Application, ApplicationStatus, ApplicationType
from registry.applications.uploads import open_private
from registry.applications.workflow import EDITABLE
from registry.people.access import require_recent_auth
from registry.people.models import Role
from registry.workcalendar.services import get_calendar

QUEUE_PAGE_SIZE = 50


def role_required(*roles: str):
    """Let only signed-in users of the given roles through; others get a 404 (nothing to see here)."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if request.user.role not in roles:
                raise Http404
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def _face_check_url(application: Application) -> str | None:
    """Return the face-check page for submitting this application, when the identity module offers one."""
    try:
        url = reverse("people:face_check")
    except NoReverseMatch:
        return None
    return f"{url}?purpose=submit&next={reverse('applications:detail', args=[application.pk])}"


# --- applicant ---------------------------------------------------------------------------------

@never_cache
@role_required(Role.APPLICANT)
def my_applications(request):
    person = getattr(request.user, "person", None)
    applications = applications_visible_to(request.user).order_by("-created_at")[:100]
    registration = services.active_registration(person) if person else None
    return render(request, "applications/mine.html", {
        "applications": applications, "registration": registration, "person": person,
    })


@never_cache
@role_required(Role.APPLICANT)
def new_application(request):
    form = NewApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.create_application(
                actor=request.user, application_type=data["application_type"],
                specialties=list(data.get("specialties") or []), employer=data.get("employer_credit_code"),
                change_kind=data.get("change_kind") or "", details=form.details(), now=timezone.now(),
            )
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("申请已创建（编号 %(ref)s），请上传材料后提交。") % {"ref": application.reference})
            return redirect("applications:detail", application.pk)
    person = getattr(request.user, "person", None)
    registration = services.active_registration(person) if person else None
    return render(request, "applications/new.html", {"form": form, "registration": registration})


@never_cache
@login_required
def application_detail(request, pk: int):
    application = get_application_for(request.user, pk)
    today = timezone.localdate()
    role = request.user.role
    is_owner = role == Role.APPLICANT
    materials = list(application.materials.all())
    context = {
        "application": application,
        "materials": materials,
        "required": services.required_for(application),
        "missing": set(services.missing_for(application)) if application.status in EDITABLE else set(),
        "timeline": services.timeline(application),
        "upload_form": UploadForm(kinds=None if application.status == ApplicationStatus.SUPPLEMENT
                                  else [kind for kind, _label in services.required_for(application)]),
        "reason_form": ReasonForm(),
        "refuse_form": RefuseForm(),
        "editable": is_owner and application.status in EDITABLE,
        "can_upload": is_owner and (application.status in EDITABLE or application.status == ApplicationStatus.SUPPLEMENT),
        "is_owner": is_owner,
        "is_employer": role == Role.ENTERPRISE,
        "is_reviewer": role == Role.REVIEWER,
        "workdays_left": deadlines.workdays_left(today, application.due_on) if application.due_on else None,
        "due_flag": deadlines.due_flag(today, application.due_on)
        if application.status == ApplicationStatus.UNDER_REVIEW else "",
        "calendar_notice": deadlines.deadline_notice(application.accept_on, application.due_on),
        "face_check_url": _face_check_url(application) if is_owner else None,
        "steps": _progress_steps(application),
    }
    return render(request, "applications/detail.html", context)


def _progress_steps(application: Application) -> list[tuple[str, str]]:
    """Return the steps of this application's path as (label, state) with state done/current/''."""
    if application.type == ApplicationType.CANCELLATION:
        path = [("draft", _("填写申请")), ("awaiting_employer", _("单位确认")), ("completed", _("注销完成"))]
    else:
        path = [("draft", _("填写申请")), ("awaiting_employer", _("单位确认")),
                ("pending_acceptance", _("数据比对")), ("under_review", _("受理审查")), ("approved", _("审批决定"))]
    order = [key for key, _label in path]
    status = application.status
    aliases = {"returned": "draft", "supplement": "under_review", "not_accepted": "pending_acceptance",
               "refused": "approved", "withdrawn": "draft"}
    current = aliases.get(status, status)
    index = order.index(current) if current in order else 0
    final = status in {"approved", "completed"}
    return [(label, "done" if i < index or (final and i == index) else ("current" if i == index else ""))
            for i, (_key, label) in enumerate(path)]


@never_cache
@role_required(Role.APPLICANT)
def edit_application(request, pk: int):
    """Let the applicant change the specialties or the employer of a draft or returned application."""
    application = get_application_for(request.user, pk)
    if application.status not in EDITABLE:
        messages.error(request, _("申请已提交，不能再修改。"))
        return redirect("applications:detail", pk)
    initial = {"specialties": application.specialties, "employer_credit_code": application.employer.credit_code}
    form = EditApplicationForm(request.POST or None, application=application, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_application(
                actor=request.user, application=application, now=timezone.now(),
                specialties=form.cleaned_data.get("specialties"), employer=form.cleaned_data.get("employer_credit_code"),
            )
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("申请已修改。"))
            return redirect("applications:detail", pk)
    return render(request, "applications/edit.html", {"form": form, "application": application})


@login_required
@require_recent_auth()
def material_file(request, pk: int, material_pk: int):
    application = get_application_for(request.user, pk)
    material = application.materials.filter(pk=material_pk).first()
    if material is None:
        raise Http404
    try:
        content = open_private(material.storage_name)
    except FileNotFoundError:
        raise Http404 from None
    response = HttpResponse(content, content_type=material.content_type)
    response["Content-Disposition"] = f'inline; filename="material-{material.pk}.{material.storage_name.rsplit(".", 1)[-1]}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
@role_required(Role.APPLICANT)
def upload_material(request, pk: int):
    application = get_application_for(request.user, pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("applications:detail", pk)
    upload = form.cleaned_data["file"]
    try:
        services.add_material(actor=request.user, application=application, kind=form.cleaned_data["kind"],
                              data=upload.read(), original_name=upload.name, now=timezone.now())
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("材料已上传。"))
    return redirect("applications:detail", pk)


@require_POST
@role_required(Role.APPLICANT)
def remove_material(request, pk: int, material_pk: int):
    application = get_application_for(request.user, pk)
    material = application.materials.filter(pk=material_pk).first()
    if material is None:
        raise Http404
    try:
        services.remove_material(actor=request.user, material=material, now=timezone.now())
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("材料已删除。"))
    return redirect("applications:detail", pk)


def _run(request, pk: int, call, success: str):
    """Call a service on the application; turn a domain error into a message; back to the page."""
    application = get_application_for(request.user, pk)
    try:
        call(application)
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("applications:detail", pk)


def _reason(request) -> str | None:
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写原因。"))
        return None
    return form.cleaned_data["reason"]


@require_POST
@role_required(Role.APPLICANT)
@require_recent_auth()
def submit(request, pk: int):
    return _run(request, pk, lambda a: services.submit_application(actor=request.user, application=a, now=timezone.now()),
                _("申请已提交，等待聘用企业确认。"))


@require_POST
@role_required(Role.APPLICANT)
def withdraw(request, pk: int):
    return _run(request, pk, lambda a: services.withdraw_application(actor=request.user, application=a, now=timezone.now()),
                _("申请已撤回。"))


@require_POST
@role_required(Role.APPLICANT)
@require_recent_auth()
def resubmit(request, pk: int):
    return _run(request, pk, lambda a: services.resubmit_supplement(actor=request.user, application=a, now=timezone.now(),
                                                                     note=request.POST.get("note", "")[:500]),
                _("补正材料已提交，审查继续。"))


@never_cache
@login_required
def receipt(request, pk: int):
    application = get_application_for(request.user, pk)
    if not application.receipt_number:
        raise Http404
    notice = deadlines.deadline_notice(application.accept_on, application.due_on)
    return render(request, "applications/receipt.html", {"application": application, "calendar_notice": notice})


# --- employer ----------------------------------------------------------------------------------

@never_cache
@role_required(Role.ENTERPRISE)
def employer_pending(request):
    visible = applications_visible_to(request.user)
    pending = visible.filter(status=ApplicationStatus.AWAITING_EMPLOYER).order_by("updated_at")
    recent = visible.exclude(status=ApplicationStatus.AWAITING_EMPLOYER).order_by("-updated_at")[:50]
    return render(request, "applications/employer_pending.html", {"pending": pending, "recent": recent})


@never_cache
@role_required(Role.ENTERPRISE)
def employer_staff(request):
    registrations = staff_of(request.user).order_by("person__name")
    return render(request, "applications/employer_staff.html", {"registrations": registrations})


@require_POST
@role_required(Role.ENTERPRISE)
@require_recent_auth()
def confirm(request, pk: int):
    return _run(request, pk, lambda a: services.confirm_by_employer(actor=request.user, application=a, now=timezone.now()),
                _("已确认。"))


@require_POST
@role_required(Role.ENTERPRISE)
@require_recent_auth()
def employer_return(request, pk: int):
    reason = _reason(request)
    if reason is None:
        return redirect("applications:detail", pk)
    return _run(request, pk, lambda a: services.return_by_employer(actor=request.user, application=a, reason=reason,
                                                                    now=timezone.now()),
                _("申请已退回申请人修改。"))


# --- reviewer ----------------------------------------------------------------------------------

QUEUE_TABS = {
    "review": ([ApplicationStatus.UNDER_REVIEW], _("审查中")),
    "supplement": ([ApplicationStatus.SUPPLEMENT], _("待补正")),
    "pending": ([ApplicationStatus.PENDING_ACCEPTANCE], _("待受理")),
    "decided": ([ApplicationStatus.APPROVED, ApplicationStatus.REFUSED, ApplicationStatus.NOT_ACCEPTED], _("已办结")),
}


@never_cache
@role_required(Role.REVIEWER)
def queue(request):
    """List applications by deadline, with due-soon and overdue flags; paginated for a large backlog."""
    tab = request.GET.get("tab", "review")
    if tab not in QUEUE_TABS:
        tab = "review"
    statuses, _label = QUEUE_TABS[tab]
    qs = Application.objects.filter(status__in=statuses).select_related("person", "employer")
    qs = qs.order_by("-decided_at", "-pk") if tab == "decided" else qs.order_by("due_on", "accept_on", "pk")
    page = Paginator(qs, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    calendar = get_calendar()
    rows = [(a, deadlines.due_flag(today, a.due_on, calendar) if a.status == ApplicationStatus.UNDER_REVIEW else "")
            for a in page.object_list]
    counts = dict(Application.objects.filter(status__in=[s for v in QUEUE_TABS.values() for s in v[0]])
                  .values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    tabs = [(key, label, sum(counts.get(s, 0) for s in sts)) for key, (sts, label) in QUEUE_TABS.items()]
    overdue = Application.objects.filter(status=ApplicationStatus.UNDER_REVIEW, due_on__lt=today).count()
    notice = deadlines.deadline_notice(today, *[a.due_on for a, _flag in rows], calendar=calendar)
    return render(request, "applications/queue.html", {
        "rows": rows, "page": page, "tab": tab, "tabs": tabs, "overdue": overdue, "calendar_notice": notice,
    })


@require_POST
@role_required(Role.REVIEWER)
@require_recent_auth()
def approve(request, pk: int):
    return _run(request, pk, lambda a: services.approve_application(actor=request.user, application=a, now=timezone.now()),
                _("已批准注册。"))


@require_POST
@role_required(Role.REVIEWER)
@require_recent_auth()
def refuse(request, pk: int):
    form = RefuseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请写明不予注册的理由。"))
        return redirect("applications:detail", pk)
    return _run(request, pk, lambda a: services.refuse_application(actor=request.user, application=a,
                                                                    reasons=form.reason_list(), now=timezone.now()),
                _("已作出不予注册决定。"))


@require_POST
@role_required(Role.REVIEWER)
@require_recent_auth()
def supplement(request, pk: int):
    reason = _reason(request)
    if reason is None:
        return redirect("applications:detail", pk)
    return _run(request, pk, lambda a: services.request_supplement(actor=request.user, application=a, reason=reason,
                                                                    now=timezone.now()),
                _("已通知申请人补正材料，审查期限暂停。"))

