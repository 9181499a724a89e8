"""Pages of sign-in, face checks, enterprise authentication, district and service-centre work.

Views parse input, call one service, and turn a domain error into a message.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, update_session_auth_hash
from django.contrib.auth.views import PasswordChangeView
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from registry import clock
from registry.audit.log import client_ip, log_action
from registry.errors import DomainError
from registry.files import private_file_response
from registry.http import bad_request
from registry.people import accounts, enterprise_auth, ykb
from registry.people import lock as lock_lib
from registry.people.access import (
    enterprises_visible_to,
    get_enterprise_for,
    get_person_for,
    person_of,
    require_recent_auth,
)
from registry.people.errors import EnterpriseAuthRefused, PeopleError
from registry.people.face import accept_face_result, record_onsite_face_check, start_face_check
from registry.people.forms import (
    LegacyPasswordForm,
    OnsiteDecisionForm,
    OnsiteFaceForm,
    OperatorForm,
    PersonLookupForm,
)
from registry.people.models import (
    EnterpriseAuthentication,
    EnterpriseAuthState,
    EnterpriseOperator,
    FaceCheck,
    FacePurpose,
    Role,
)
from registry.people.signin import sign_in_with_ykb
from registry.roles import require_role

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
        user = sign_in_with_ykb(claims, ip=client_ip(request), now=clock.now())
    except (ykb.YkbError, PeopleError) as error:
        code = getattr(error, "code", "ykb.failed")
        log_action("people.signin.failed", ip=client_ip(request), details={"method": "ykb", "reason": code})
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
    now = clock.now()
    if request.method == "POST":
        try:
            target = start_face_check(actor=request.user, person=person, purpose=purpose, next_url=next_url,
                                      return_to=request.build_absolute_uri(reverse("people:face_return")), now=now)
            # Kept so that a failed result sends the retry back to where the person was going.
            request.session["face_check_next"] = next_url
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
                                             now=clock.now(), ip=client_ip(request))
    except PeopleError as error:
        messages.error(request, error.message)
        retry = {"purpose": request.GET.get("purpose", "submit")}
        kept_next = request.session.get("face_check_next")
        if kept_next:
            retry["next"] = _safe_next(request, kept_next)
        return redirect(reverse("people:face_check") + "?" + urlencode(retry))
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
        user = accounts.change_password(user=form.user, new_password=form.cleaned_data["new_password1"],
                                        now=clock.now(), ip=client_ip(self.request))
        update_session_auth_hash(self.request, user)
        messages.success(self.request, _("密码已修改。"))
        return redirect(self.get_success_url())


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
        action, now = request.POST.get("action"), clock.now()
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
                    password=legacy_form.cleaned_data["password"], now=now, ip=client_ip(request))
                messages.success(request, _("企业身份认证通过。原系统账号的密码已按新规则保存，该账号下次登录时须修改密码。"))
                return redirect("people:enterprise_operators", pk=enterprise.pk)
            if action == "lost":
                enterprise_auth.report_lock_lost(actor=request.user, enterprise=enterprise, now=now, ip=client_ip(request))
                messages.warning(request, _("已登记身份锁遗失。") + str(enterprise_auth.ONSITE_HINT))
                return redirect("people:enterprise_auth")
            if action == "onsite":
                enterprise_auth.request_onsite(actor=request.user, enterprise=enterprise, now=now, ip=client_ip(request))
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
            certificate_der=certificate, signature=signature, now=clock.now(), ip=client_ip(request))
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
                                             can_confirm=data["can_confirm"], ip=client_ip(request))
                messages.success(request, _("已添加经办人。"))
                return redirect("people:enterprise_operators", pk=enterprise.pk)
            if action in {"grant", "revoke", "remove"}:
                operator = request.POST.get("operator", "")
                if not operator.isascii() or not operator.isdigit() or len(operator) > 18:
                    return bad_request(request, _("未指定有效的经办人，请从经办人列表中选择后再操作。"))
                link = get_object_or_404(EnterpriseOperator, pk=int(operator), enterprise=enterprise)
                if action == "remove":
                    enterprise_auth.remove_operator(actor=request.user, link=link, ip=client_ip(request))
                else:
                    enterprise_auth.set_operator_can_confirm(actor=request.user, link=link,
                                                             can_confirm=action == "grant", ip=client_ip(request))
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
        data = form.cleaned_data
        scans = {kind: data[field].read() for kind, field in SCAN_FIELDS.items() if data.get(field)}
        try:
            enterprise_auth.decide_onsite(
                actor=request.user, enterprise=enterprise, approved=data["decision"] == "approve",
                reason=data["reason"], is_agent=data["is_agent"],
                checks={"licence": data["checked_licence"], "qualification": data["checked_qualification"],
                        "authorisation": data["checked_authorisation"]},
                scans=scans, now=clock.now(), ip=client_ip(request),
                credit_code_override=data["credit_code_override"])
        except DomainError as error:
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
    response = private_file_response(name, download_name=kind)
    log_action("people.enterprise.scan_opened", actor=request.user, target=enterprise, ip=client_ip(request),
               details={"kind": kind, "authentication": entry.pk})
    return response


# --- Staff: a person's full data, on-site face verification -------------------------------------------


@never_cache
@require_role(Role.SERVICE_CENTRE, Role.REVIEWER, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def person_lookup(request):
    """Find a person by ID number and name (posted, so the number never appears in a URL)."""
    form = PersonLookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = accounts.find_person(actor=request.user, id_number=form.cleaned_data["id_number"],
                                      name=form.cleaned_data["name"], now=clock.now(), ip=client_ip(request))
        if person is None:
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
                                         document_seen=form.cleaned_data["document_seen"], now=clock.now(),
                                         ip=client_ip(request))
            except PeopleError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("已记录现场核验，%(hours)s 小时内有效，每项用途可使用一次。")
                                 % {"hours": settings.FACE_ONSITE_VALID_SECONDS // 3600})
                return redirect("people:person_detail", pk=person.pk)
    log_action("people.person.viewed_full", actor=request.user, target=person, ip=client_ip(request))
    checks = person.face_checks.select_related("recorded_by").order_by("-verified_at")[:20]
    return render(request, "people/person_detail.html", {"person": person, "form": form, "checks": checks})
