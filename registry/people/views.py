"""Pages of sign-in, face checks, enterprise authentication, district and service-centre work, audit.

Views parse input, call one service, and turn a domain error into a message.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.views import PasswordChangeView
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from registry.applications.uploads import UploadRejected, clean_upload, open_private, store_private
from registry.http import bad_request
from registry.people import enterprise_auth, ykb
from registry.people import lock as lock_lib
from registry.people.access import (
    get_enterprise_for,
    get_person_for,
    person_of,
    require_recent_auth,
    require_role,
)
from registry.people.audit import log_action
from registry.people.errors import EnterpriseAuthRefused, PeopleError
from registry.people.face import accept_face_result, record_onsite_face_check, start_face_check
from registry.people.forms import (
    AuditFilterForm,
    LegacyPasswordForm,
    OnsiteDecisionForm,
    OnsiteFaceForm,
    OperatorForm,
    PersonLookupForm,
)
from registry.people.models import (
    AuditEvent,
    EnterpriseAuthentication,
    EnterpriseAuthState,
    EnterpriseOperator,
    FaceCheck,
    FacePurpose,
    Person,
    Role,
)
from registry.people.signin import sign_in_with_ykb

BACKEND = "registry.people.backends.ThrottledModelBackend"


def _safe_next(request, value: str | None, default: str = "home") -> str:
    if value and url_has_allowed_host_and_scheme(value, allowed_hosts={request.get_host()},
                                                 require_https=request.is_secure()):
        return value
    return reverse(default)


# --- 渝快办 sign-in ----------------------------------------------------------------------------------


@never_cache
@require_GET
def ykb_login(request):
    """Start the 渝快办 sign-in: redirect to the provider's authorize page."""
    next_url = _safe_next(request, request.GET.get("next"))
    try:
        return redirect(ykb.begin(request, next_url))
    except ykb.YkbError as error:
        messages.error(request, error.message)
        return redirect("login")


@never_cache
@require_GET
def ykb_callback(request):
    """Finish the 渝快办 sign-in and sign the user in, or say why not."""
    try:
        claims, next_url = ykb.complete(request)
        user = sign_in_with_ykb(claims, request=request, now=timezone.now())
    except (ykb.YkbError, PeopleError) as error:
        code = getattr(error, "code", "ykb.failed")
        log_action("people.signin.failed", request=request, details={"method": "ykb", "reason": code})
        messages.error(request, error.message)
        return redirect("login")
    request.sign_in_method = "ykb"
    login(request, user, backend=BACKEND)
    if user.role == Role.ENTERPRISE:
        enterprise = enterprise_auth.enterprise_of_legal(user)
        if enterprise is None or not enterprise_auth.is_bound(user, enterprise):
            return redirect("people:enterprise_auth")
    return redirect(_safe_next(request, next_url))


# --- Face checks -------------------------------------------------------------------------------------


@never_cache
@require_role(Role.APPLICANT)
@require_http_methods(["GET", "POST"])
def face_check(request):
    """Explain the face check and send the person to the provider."""
    person = person_of(request.user)
    purpose = request.GET.get("purpose", FacePurpose.SUBMIT)
    if purpose not in FacePurpose.values:
        raise Http404
    next_url = _safe_next(request, request.GET.get("next"))
    now = timezone.now()
    if request.method == "POST":
        try:
            target = start_face_check(actor=request.user, person=person, purpose=purpose, next_url=next_url,
                                      return_to=request.build_absolute_uri(reverse("people:face_return")), now=now)
        except PeopleError as error:
            messages.error(request, error.message)
            return redirect(next_url)
        return redirect(target)
    valid = FaceCheck.objects.filter(person=person, purpose=purpose, used_at__isnull=True,
                                     expires_at__gt=now).order_by("-expires_at").first()
    return render(request, "people/face_check.html", {
        "purpose": FacePurpose(purpose), "valid_check": valid, "next_url": next_url,
        "max_minutes": settings.FACE_CHECK_MAX_AGE_SECONDS // 60,
    })


@never_cache
@require_role(Role.APPLICANT)
@require_GET
def face_return(request):
    """Receive the provider's signed result."""
    try:
        check, next_url = accept_face_result(actor=request.user, result=request.GET.get("result", ""),
                                             now=timezone.now(), request=request)
    except PeopleError as error:
        messages.error(request, error.message)
        return redirect(reverse("people:face_check") + "?" + urlencode({"purpose": request.GET.get("purpose", "submit")}))
    messages.success(request, _("人脸识别通过（用途：%(purpose)s），请在 %(minutes)s 分钟内完成办理。")
                     % {"purpose": FacePurpose(check.purpose).label,
                        "minutes": settings.FACE_CHECK_MAX_AGE_SECONDS // 60})
    return redirect(_safe_next(request, next_url))


# --- Password change ---------------------------------------------------------------------------------


class ChangePasswordView(PasswordChangeView):
    """Change the password; clears the must-change flag of imported and new operator accounts."""

    template_name = "people/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        response = super().form_valid(form)
        user = form.user
        if user.must_change_password:
            user.must_change_password = False
            user.save(update_fields=["must_change_password"])
        update_session_auth_hash(self.request, user)
        log_action("people.password.changed", actor=user, target=user, request=self.request)
        messages.success(self.request, _("密码已修改。"))
        return response


# --- Enterprise authentication (legal person) --------------------------------------------------------


@never_cache
@require_role(Role.ENTERPRISE)
@require_http_methods(["GET", "POST"])
def enterprise_auth_page(request):
    """Let a legal-person account authenticate its enterprise: lock, old password, or on-site."""
    identity = enterprise_auth.legal_identity_of(request.user)
    if identity is None:
        raise Http404
    enterprise = enterprise_auth.enterprise_of_legal(request.user)
    legacy_form = LegacyPasswordForm(request.POST if request.POST.get("action") == "legacy" else None)
    if request.method == "POST" and enterprise is not None:
        action, now = request.POST.get("action"), timezone.now()
        try:
            if action == "lock":
                challenge = enterprise_auth.issue_lock_challenge(actor=request.user, enterprise=enterprise, now=now)
                query = urlencode({"challenge": lock_lib.challenge_text(challenge.nonce),
                                   "return_to": request.build_absolute_uri(reverse("people:enterprise_lock_return"))})
                base = settings.LOCK_DRIVER_URL
                return redirect(f"{base}{'&' if '?' in base else '?'}{query}")
            if action == "legacy" and legacy_form.is_valid():
                enterprise_auth.authenticate_with_legacy_password(
                    actor=request.user, enterprise=enterprise, username=legacy_form.cleaned_data["username"],
                    password=legacy_form.cleaned_data["password"], now=now, request=request)
                messages.success(request, _("企业身份认证通过。原系统账号的密码已按新规则保存，该账号下次登录时须修改密码。"))
                return redirect("people:enterprise_operators", pk=enterprise.pk)
            if action == "lost":
                enterprise_auth.report_lock_lost(actor=request.user, enterprise=enterprise, now=now, request=request)
                messages.warning(request, _("已登记身份锁遗失。") + str(enterprise_auth.ONSITE_HINT))
                return redirect("people:enterprise_auth")
            if action == "onsite":
                enterprise_auth.request_onsite(actor=request.user, enterprise=enterprise, now=now, request=request)
                messages.info(request, str(enterprise_auth.ONSITE_HINT))
                return redirect("people:enterprise_auth")
        except PeopleError as error:
            messages.error(request, error.message)
            if action != "legacy":
                return redirect("people:enterprise_auth")
    enterprise = enterprise_auth.enterprise_of_legal(request.user)
    bound = enterprise is not None and enterprise_auth.is_bound(request.user, enterprise)
    history = enterprise.authentications.all()[:10] if enterprise is not None else []
    return render(request, "people/enterprise_auth.html", {
        "identity": identity, "enterprise": enterprise, "bound": bound, "legacy_form": legacy_form,
        "history": history,
    })


@never_cache
@require_role(Role.ENTERPRISE)
@require_POST
def enterprise_lock_return(request):
    """Receive the lock driver's answer: the certificate and the SM2 signature of our challenge.

    The answer comes in a POST body (the certificate names the enterprise), never in a URL that access
    logs would keep; the driver page posts it from the same site, with the CSRF token.
    """
    enterprise = enterprise_auth.enterprise_of_legal(request.user)
    if enterprise is None:
        raise Http404
    try:
        certificate = lock_lib.from_b64url(request.POST.get("certificate", ""))
        signature = lock_lib.from_b64url(request.POST.get("signature", ""))
    except ValueError:
        messages.error(request, _("身份锁返回的数据无法识别，请重试。"))
        return redirect("people:enterprise_auth")
    try:
        enterprise_auth.authenticate_with_lock(
            actor=request.user, enterprise=enterprise, challenge=request.POST.get("challenge", ""),
            certificate_der=certificate, signature=signature, now=timezone.now(), request=request)
    except EnterpriseAuthRefused as error:
        messages.error(request, error.message)
        return redirect("people:enterprise_auth")
    except PeopleError as error:
        messages.error(request, error.message)
        return redirect("people:enterprise_auth")
    messages.success(request, _("身份锁认证通过，企业身份认证完成。"))
    return redirect("people:enterprise_operators", pk=enterprise.pk)


@never_cache
@require_role(Role.ENTERPRISE)
@require_http_methods(["GET", "POST"])
def enterprise_operators(request, pk: int):
    """List the enterprise's operators; managers add operators and choose who may confirm."""
    enterprise = get_enterprise_for(request.user, pk)
    me = EnterpriseOperator.objects.filter(user=request.user, enterprise=enterprise).first()
    form = OperatorForm(request.POST if request.POST.get("action") == "add" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "add" and form.is_valid():
                data = form.cleaned_data
                enterprise_auth.add_operator(actor=request.user, enterprise=enterprise, username=data["username"],
                                             full_name=data["full_name"], password=data["password"],
                                             can_confirm=data["can_confirm"], request=request)
                messages.success(request, _("已添加经办人。"))
                return redirect("people:enterprise_operators", pk=enterprise.pk)
            if action in {"grant", "revoke", "remove"}:
                operator = request.POST.get("operator", "")
                if not operator.isascii() or not operator.isdigit() or len(operator) > 18:
                    return bad_request(request, _("未指定有效的经办人，请从经办人列表中选择后再操作。"))
                link = get_object_or_404(EnterpriseOperator, pk=int(operator), enterprise=enterprise)
                if action == "remove":
                    enterprise_auth.remove_operator(actor=request.user, link=link, request=request)
                else:
                    enterprise_auth.set_operator_can_confirm(actor=request.user, link=link,
                                                             can_confirm=action == "grant", request=request)
                messages.success(request, _("已保存。"))
                return redirect("people:enterprise_operators", pk=enterprise.pk)
        except PeopleError as error:
            messages.error(request, error.message)
    operators = enterprise.operators.select_related("user").order_by("-is_manager", "user__username")
    return render(request, "people/enterprise_operators.html", {
        "enterprise": enterprise, "operators": operators, "me": me, "form": form,
    })


# --- District officer: on-site authentication --------------------------------------------------------


@never_cache
@require_role(Role.DISTRICT)
@require_GET
def district_enterprises(request):
    """List the enterprises registered in the officer's district, those awaiting on-site first."""
    from registry.people.access import enterprises_visible_to

    state = request.GET.get("state", "")
    enterprises = enterprises_visible_to(request.user).order_by("auth_state", "-onsite_requested_at", "name")
    if state in EnterpriseAuthState.values:
        enterprises = enterprises.filter(auth_state=state)
    page = Paginator(enterprises, 50).get_page(request.GET.get("page"))
    return render(request, "people/district_enterprises.html", {"page": page, "state": state,
                                                                 "states": EnterpriseAuthState.choices})


SCAN_FIELDS = {"licence": "licence_scan", "qualification": "qualification_scan", "authorisation": "authorisation_scan"}


@never_cache
@require_role(Role.DISTRICT)
@require_http_methods(["GET", "POST"])
def district_enterprise(request, pk: int):
    """Show one enterprise of the district and record the on-site authentication decision."""
    enterprise = get_enterprise_for(request.user, pk)
    form = OnsiteDecisionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data, scans = form.cleaned_data, {}
        try:
            for kind, field in SCAN_FIELDS.items():
                upload = data.get(field)
                if upload:
                    if upload.size > settings.UPLOAD_MAX_BYTES:
                        raise UploadRejected(_("文件过大：不能超过 %(mb)s MB。")
                                             % {"mb": settings.UPLOAD_MAX_BYTES // (1024 * 1024)})
                    scans[kind] = store_private(clean_upload(upload.read()), f"enterprise-auth/{enterprise.pk}")
            enterprise_auth.decide_onsite(
                actor=request.user, enterprise=enterprise, approved=data["decision"] == "approve",
                reason=data["reason"], is_agent=data["is_agent"],
                checks={"licence": data["checked_licence"], "qualification": data["checked_qualification"],
                        "authorisation": data["checked_authorisation"]},
                scans=scans, now=timezone.now(), request=request,
                credit_code_override=data["credit_code_override"])
        except UploadRejected as error:
            form.add_error(None, error.message)
        except PeopleError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("已记录现场认证结论。"))
            return redirect("people:district_enterprise", pk=enterprise.pk)
    history = enterprise.authentications.select_related("actor")[:20]
    return render(request, "people/district_enterprise.html",
                  {"enterprise": enterprise, "form": form, "history": history,
                   "credit_code_warnings": enterprise_auth.credit_code_warnings(enterprise)})


@never_cache
@require_role(Role.DISTRICT, Role.ADMIN)
@require_recent_auth()
@require_GET
def enterprise_scan(request, pk: int, auth_pk: int, kind: str):
    """Serve a stored on-site scan to the officers who may see the enterprise."""
    enterprise = get_enterprise_for(request.user, pk)
    entry = get_object_or_404(EnterpriseAuthentication, pk=auth_pk, enterprise=enterprise)
    field = SCAN_FIELDS.get(kind)
    name = getattr(entry, field, "") if field else ""
    if not name:
        raise Http404
    try:
        content = open_private(name)
    except (FileNotFoundError, OSError):
        raise Http404 from None
    log_action("people.enterprise.scan_opened", actor=request.user, target=enterprise, request=request,
               details={"kind": kind, "authentication": entry.pk})
    types = {"pdf": "application/pdf", "png": "image/png", "jpg": "image/jpeg"}
    response = HttpResponse(content, content_type=types.get(name.rsplit(".", 1)[-1], "application/octet-stream"))
    response["Content-Disposition"] = f'inline; filename="{kind}.{name.rsplit(".", 1)[-1]}"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- Staff: a person's full data, on-site face verification -------------------------------------------


@never_cache
@require_role(Role.SERVICE_CENTRE, Role.REVIEWER, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def person_lookup(request):
    """Find a person by ID number and name (posted, so the number never appears in a URL)."""
    form = PersonLookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = Person.objects.filter(id_number=form.cleaned_data["id_number"]).first()
        if person is None or person.name != form.cleaned_data["name"].strip():
            log_action("people.person.lookup_missed", actor=request.user, request=request)
            form.add_error(None, _("未找到证件号码与姓名都相符的人员。"))
        else:
            return redirect("people:person_detail", pk=person.pk)
    return render(request, "people/person_lookup.html", {"form": form})


@never_cache
@require_role(Role.SERVICE_CENTRE, Role.REVIEWER, Role.ADMIN)
@require_recent_auth()
@require_http_methods(["GET", "POST"])
def person_detail(request, pk: int):
    """Show a person's full data to staff (logged), and let service-centre staff record an on-site check."""
    person = get_person_for(request.user, pk)
    form = OnsiteFaceForm(request.POST or None) if request.user.role == Role.SERVICE_CENTRE else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                record_onsite_face_check(actor=request.user, person=person, purposes=form.cleaned_data["purposes"],
                                         document_seen=form.cleaned_data["document_seen"], now=timezone.now(),
                                         request=request)
            except PeopleError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("已记录现场核验，%(hours)s 小时内有效，每项用途可使用一次。")
                                 % {"hours": settings.FACE_ONSITE_VALID_SECONDS // 3600})
                return redirect("people:person_detail", pk=person.pk)
    log_action("people.person.viewed_full", actor=request.user, target=person, request=request)
    checks = person.face_checks.select_related("recorded_by").order_by("-verified_at")[:20]
    return render(request, "people/person_detail.html", {"person": person, "form": form, "checks": checks})


# --- Audit log (administrators) ----------------------------------------------------------------------


def _filtered_events(form: AuditFilterForm):
    events = AuditEvent.objects.select_related("actor").order_by("-at")
    if form.is_bound and not form.is_valid():
        return events.none()
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            events = events.filter(action__startswith=data["action"].strip())
        if data["actor"]:
            events = events.filter(actor__username=data["actor"].strip())
        if data["ip"]:
            events = events.filter(ip_address=data["ip"])
        tz = timezone.get_current_timezone()
        if data["date_from"]:
            events = events.filter(at__gte=datetime.combine(data["date_from"], time.min, tz))
        if data["date_to"]:
            events = events.filter(at__lt=datetime.combine(data["date_to"] + timedelta(days=1), time.min, tz))
    return events


@never_cache
@require_role(Role.ADMIN)
@require_GET
def audit_log(request):
    """Search the audit log."""
    form = AuditFilterForm(request.GET or None)
    status = 400 if form.is_bound and not form.is_valid() else 200
    page = Paginator(_filtered_events(form), 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "people/audit_log.html", {"form": form, "page": page, "query": query.urlencode()},
                  status=status)


class _Echo:
    def write(self, value):
        return value


def _csv_cell(value: object) -> str:
    """Return a CSV cell a spreadsheet will not run as a formula (text starting with = + - @ is quoted)."""
    text = str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


@never_cache
@require_role(Role.ADMIN)
@require_GET
def audit_export(request):
    """Export the filtered audit log as CSV (UTF-8 with BOM so spreadsheet programs read Chinese)."""
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():  # before streaming: a bad filter never yields a truncated file
        reasons = "；".join(str(error) for errors in form.errors.values() for error in errors)
        return bad_request(request, _("导出条件无效：%(reasons)s") % {"reasons": reasons})
    events = _filtered_events(form)
    log_action("people.audit.exported", actor=request.user, request=request, details={"filters": request.GET.dict()})
    writer = csv.writer(_Echo())

    def rows():
        yield "\ufeff"
        yield writer.writerow(["时间", "操作人", "操作", "对象类型", "对象编号", "来源地址", "详情"])
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow([_csv_cell(value) for value in (
                timezone.localtime(event.at).isoformat(), event.actor.username if event.actor else "",
                event.action, event.target_type, event.target_id, event.ip_address or "",
                json.dumps(event.details, ensure_ascii=False),
            )])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response

