"""Pages of applicants, employers and reviewers. Views parse input, call a service and render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from registry import clock
from registry.applications import deadlines, rules, services
from registry.applications.access import (
    applications_visible_to,
    employer_ids_of,
    get_application_for,
    moved_away_from,
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
from registry.applications.models import Application, ApplicationStatus, ApplicationType, ChangeKind
from registry.applications.workflow import EDITABLE, UPLOADABLE, allowed_actions, progress
from registry.files import private_file_response
from registry.people import enterprise_auth
from registry.people.access import require_recent_auth
from registry.roles import Role, require_role
from registry.workcalendar.services import get_calendar

QUEUE_PAGE_SIZE = 50


def _face_check_url(application: Application) -> str | None:
    """Return the face-check page for submitting this application, when the identity module offers one."""
    try:
        url = reverse("people:face_check")
    except NoReverseMatch:
        return None
    return f"{url}?purpose=submit&next={reverse('applications:detail', args=[application.pk])}"


# --- applicant ---------------------------------------------------------------------------------

@never_cache
@require_role(Role.APPLICANT)
def my_applications(request):
    person = getattr(request.user, "person", None)
    applications = applications_visible_to(request.user).order_by("-created_at")[:100]
    registration = services.active_registration(person) if person else None
    return render(request, "applications/mine.html", {
        "applications": applications, "registration": registration, "person": person,
    })


@never_cache
@require_role(Role.APPLICANT)
def new_application(request):
    # Choose the type first (?type=…), and for a change its kind (&change_kind=…); the form then holds only
    # their fields (no JavaScript needed).
    source = request.POST if request.method == "POST" else request.GET
    chosen = source.get("application_type") if request.method == "POST" else source.get("type")
    chosen = chosen if chosen in ApplicationType.values else None
    kind = source.get("change_kind") if chosen == ApplicationType.CHANGE else None
    kind = kind if kind in ChangeKind.values else None
    form = NewApplicationForm(request.POST or None, application_type=chosen, change_kind=kind)
    ready = chosen is not None and (chosen != ApplicationType.CHANGE or kind is not None)
    if request.method == "POST" and ready and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.create_application(
                actor=request.user, application_type=data["application_type"],
                specialties=list(data.get("specialties") or []), employer=data.get("employer_credit_code"),
                change_kind=data.get("change_kind") or "", details=form.details(), now=clock.now(),
            )
        except WorkflowError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("申请已创建（编号 %(ref)s），请上传材料后提交。") % {"ref": application.reference})
            return redirect("applications:detail", application.pk)
    person = getattr(request.user, "person", None)
    registration = services.active_registration(person) if person else None
    return render(request, "applications/new.html", {
        "form": form, "registration": registration, "chosen": chosen, "change_kind": kind, "ready": ready,
        "types": ApplicationType.choices, "chosen_label": ApplicationType(chosen).label if chosen else "",
        "change_kinds": ChangeKind.choices, "change_kind_label": ChangeKind(kind).label if kind else "",
    })


@never_cache
@login_required
def application_detail(request, pk: int):
    application = get_application_for(request.user, pk)
    today = clock.today()
    role = request.user.role
    is_owner = role == Role.APPLICANT
    materials = list(application.materials.all())
    context = {
        "application": application,
        "materials": materials,
        "required": services.required_for(application),
        "missing": set(services.missing_for(application)) if application.status in EDITABLE else set(),
        "timeline": services.timeline(application),
        "comparison": [(f.get("passed"), rules.describe_stored(f, services.comparison_parameters()))
                       for f in application.comparison],
        # Only the kinds this application's type needs, also for a 补正.
        "upload_form": UploadForm(kinds=[kind for kind, _label in services.required_for(application)]),
        "reason_form": ReasonForm(),
        "refuse_form": RefuseForm(),
        "editable": is_owner and application.status in EDITABLE,
        "can_upload": is_owner and application.status in UPLOADABLE,
        "is_owner": is_owner,
        "is_employer": role == Role.ENTERPRISE,
        "is_reviewer": role == Role.REVIEWER,
        "workdays_left": deadlines.workdays_left(today, application.due_on) if application.due_on else None,
        "due_flag": deadlines.due_flag(today, application.due_on)
        if application.status == ApplicationStatus.UNDER_REVIEW else "",
        "calendar_notice": deadlines.deadline_notice(application.accept_on, application.due_on),
        "face_check_url": _face_check_url(application) if is_owner else None,
        "steps": progress(application.status, cancellation=application.type == ApplicationType.CANCELLATION),
        # What this viewer's buttons may offer: the workflow table's actions from the current status.
        "actions": {str(action) for action in allowed_actions(application.status)},
        "review_clock_paused": application.status == ApplicationStatus.SUPPLEMENT,
        "under_review": application.status == ApplicationStatus.UNDER_REVIEW,
        "not_accepted": application.status == ApplicationStatus.NOT_ACCEPTED,
    }
    context["owner_actions"] = is_owner and (
        context["editable"] or bool(context["actions"] & {"resubmit_supplement", "withdraw"}))
    context["attention"] = _attention(application, materials) if is_owner else None
    return render(request, "applications/detail.html", context)


def _attention(application: Application, materials) -> dict | None:
    """What the applicant must do now: after a return by the employer or a request for 补正."""
    if application.status not in {ApplicationStatus.RETURNED, ApplicationStatus.SUPPLEMENT}:
        return None
    last = application.transitions.filter(to_status=application.status).order_by("-at", "-pk").first()
    asked_at = last.at if last else None
    if application.status == ApplicationStatus.RETURNED:
        return {"title": _("聘用企业已退回您的申请"), "reason": last.reason if last else "",
                "next": _("请根据退回原因修改申请信息或材料，完成人脸识别后重新提交申请。"), "missing": []}
    uploaded_since = {m.kind for m in materials if asked_at is None or m.uploaded_at >= asked_at}
    return {"title": _("审查部门要求补正材料"), "reason": last.reason if last else "",
            "next": _("请按要求上传补正材料，完成人脸识别后点击“提交补正”。补正期间审查期限暂停。"),
            "missing": [label for kind, label in services.required_for(application) if kind not in uploaded_since]}


@never_cache
@require_role(Role.APPLICANT)
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
                actor=request.user, application=application, now=clock.now(),
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
    return private_file_response(material.storage_name, download_name=f"material-{material.pk}",
                                 content_type=material.content_type)


@require_POST
@require_role(Role.APPLICANT)
def upload_material(request, pk: int):
    application = get_application_for(request.user, pk)
    form = UploadForm(request.POST, request.FILES, kinds=[kind for kind, _label in services.required_for(application)])
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect("applications:detail", pk)
    upload = form.cleaned_data["file"]
    return _report(request, pk, lambda: services.add_material(
        actor=request.user, application=application, kind=form.cleaned_data["kind"], data=upload.read(),
        original_name=upload.name, now=clock.now()), _("材料已上传。"))


@require_POST
@require_role(Role.APPLICANT)
def remove_material(request, pk: int, material_pk: int):
    application = get_application_for(request.user, pk)
    material = application.materials.filter(pk=material_pk).first()
    if material is None:
        raise Http404
    return _report(request, pk, lambda: services.remove_material(actor=request.user, material=material,
                                                                 now=clock.now()), _("材料已删除。"))


def _report(request, pk: int, call, success: str):
    """Run one service call; say how it went (a domain error becomes the message); back to the page."""
    try:
        call()
    except WorkflowError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, success)
    return redirect("applications:detail", pk)


@never_cache
@login_required
def receipt(request, pk: int):
    application = get_application_for(request.user, pk)
    if not application.receipt_number:
        raise Http404
    notice = deadlines.deadline_notice(application.accept_on, application.due_on)
    return render(request, "applications/receipt.html", {"application": application, "calendar_notice": notice})


@never_cache
@login_required
def refusal_decision(request, pk: int):
    """The printable 不予许可决定书 of a refused application, as stored when it was issued.

    Whoever may open the application (the applicant, the employer's operators, reviewers) may read it;
    anyone else, and an application without a letter, gets 404.
    """
    application = get_application_for(request.user, pk)
    decision = getattr(application, "refusal_decision", None)
    if decision is None:
        raise Http404
    return render(request, "applications/refusal_decision.html", {"application": application, "decision": decision})


# --- employer ----------------------------------------------------------------------------------

@never_cache
@require_role(Role.ENTERPRISE)
def employer_pending(request):
    visible = applications_visible_to(request.user)
    pending = visible.filter(status=ApplicationStatus.AWAITING_EMPLOYER).order_by("updated_at")
    recent = visible.exclude(status=ApplicationStatus.AWAITING_EMPLOYER).order_by("-updated_at")[:50]
    return render(request, "applications/employer_pending.html", {
        "pending": pending, "recent": recent, "unbound": _unbound_enterprise(request.user),
    })


def _unbound_enterprise(user) -> dict | None:
    """A legal person whose enterprise this account does not operate yet: the enterprise and how many wait.

    Applications naming the enterprise wait for it whether or not it has authenticated; the legal person
    sees none of them until the enterprise is authenticated and the account bound, so the page says so.
    """
    enterprise = enterprise_auth.enterprise_of_legal(user)
    if enterprise is None or enterprise.pk in employer_ids_of(user):
        return None
    waiting = Application.objects.filter(employer=enterprise, status=ApplicationStatus.AWAITING_EMPLOYER).count()
    return {"enterprise": enterprise, "waiting": waiting}


@never_cache
@require_role(Role.ENTERPRISE)
def employer_staff(request):
    registrations = staff_of(request.user).order_by("person__name")
    return render(request, "applications/employer_staff.html", {
        "registrations": registrations, "moved_away": moved_away_from(request.user),
    })


# --- reviewer ----------------------------------------------------------------------------------

QUEUE_EMPTY = {
    "review": gettext_lazy("目前没有审查中的申请。"),
    "supplement": gettext_lazy("目前没有等待申请人补正的申请。"),
    "pending": gettext_lazy("目前没有待受理的申请。"),
    "decided": gettext_lazy("还没有已办结的申请。"),
}

QUEUE_TABS = {
    "review": ([ApplicationStatus.UNDER_REVIEW], _("审查中")),
    "supplement": ([ApplicationStatus.SUPPLEMENT], _("待补正")),
    "pending": ([ApplicationStatus.PENDING_ACCEPTANCE], _("待受理")),
    "decided": ([ApplicationStatus.APPROVED, ApplicationStatus.REFUSED, ApplicationStatus.NOT_ACCEPTED], _("已办结")),
}


@never_cache
@require_role(Role.REVIEWER)
def queue(request):
    """List applications by deadline, with due-soon and overdue flags; paginated for a large backlog."""
    tab = request.GET.get("tab", "review")
    if tab not in QUEUE_TABS:
        tab = "review"
    statuses, _label = QUEUE_TABS[tab]
    qs = Application.objects.filter(status__in=statuses).select_related("person", "employer")
    qs = qs.order_by("-decided_at", "-pk") if tab == "decided" else qs.order_by("due_on", "accept_on", "pk")
    page = Paginator(qs, QUEUE_PAGE_SIZE).get_page(request.GET.get("page"))
    today = clock.today()
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
        "empty_text": QUEUE_EMPTY[tab],
    })


# --- the workflow actions (one POST view each, all alike) ----------------------------------------

def _reason(request) -> dict | None:
    """Return the posted reason as the service's argument, or None (with a message) when it is missing."""
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写原因。"))
        return None
    return {"reason": form.cleaned_data["reason"]}


def _refusal_reasons(request) -> dict | None:
    form = RefuseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请写明不予注册的理由。"))
        return None
    return {"reasons": form.reason_list()}


def _note(request) -> dict:
    return {"note": request.POST.get("note", "")[:500]}


def _workflow_action(role: str, service, success: str, *, recent_auth: bool = True, parse=None):
    """Return the POST view of one workflow action: parse the input, call the service, say how it went.

    ``parse(request)`` returns the service's extra arguments, or None when the input is refused (it
    has put the message). A domain error becomes a message; the view always goes back to the page.
    """

    def view(request, pk: int):
        arguments = parse(request) if parse else {}
        if arguments is None:
            return redirect("applications:detail", pk)
        application = get_application_for(request.user, pk)
        return _report(request, pk, lambda: service(actor=request.user, application=application, now=clock.now(),
                                                    **arguments), success)

    if recent_auth:
        view = require_recent_auth()(view)
    return require_POST(require_role(role)(view))


submit = _workflow_action(Role.APPLICANT, services.submit_application, gettext_lazy("申请已提交，等待聘用企业确认。"))
_withdraw = _workflow_action(Role.APPLICANT, services.withdraw_application, gettext_lazy("申请已撤回。"),
                             recent_auth=False)


@never_cache
@require_role(Role.APPLICANT)
def withdraw(request, pk: int):
    """Ask first (a page of its own, no JavaScript needed); withdraw only on the confirming POST."""
    application = get_application_for(request.user, pk)
    if request.method == "POST" and request.POST.get("confirm") == "yes":
        return _withdraw(request, pk)
    if "withdraw" not in {str(a) for a in allowed_actions(application.status)}:
        messages.error(request, _("当前状态下不能撤回申请。"))
        return redirect("applications:detail", pk)
    return render(request, "applications/withdraw_confirm.html", {"application": application})
resubmit = _workflow_action(Role.APPLICANT, services.resubmit_supplement, gettext_lazy("补正材料已提交，审查继续。"),
                            parse=_note)
confirm = _workflow_action(Role.ENTERPRISE, services.confirm_by_employer, gettext_lazy("已确认。"))
employer_return = _workflow_action(Role.ENTERPRISE, services.return_by_employer,
                                   gettext_lazy("申请已退回申请人修改。"), parse=_reason)
approve = _workflow_action(Role.REVIEWER, services.approve_application, gettext_lazy("已批准注册。"))
refuse = _workflow_action(Role.REVIEWER, services.refuse_application, gettext_lazy("已作出不予注册决定。"),
                          parse=_refusal_reasons)
supplement = _workflow_action(Role.REVIEWER, services.request_supplement,
                              gettext_lazy("已通知申请人补正材料，审查期限暂停。"), parse=_reason)
