"""Holders' 电子证书管理: the list, the picture, the print view, the download, the paper-certificate claim.

Views parse input, call a service and render; every certificate is looked up through ``access``.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from registry import clock
from registry.applications.models import Registration, RegistrationStatus
from registry.audit.log import client_ip
from registry.certificates import checks, public, receipts, services
from registry.certificates import upload_check as upload_check_service
from registry.certificates.access import certificates_of, get_certificate_for
from registry.certificates.forms import ClaimForm, RegistrySearchForm
from registry.certificates.models import CertificateStatus, CheckChannel
from registry.certificates.preview import render_preview
from registry.certificates.sealing import certificate_storage
from registry.certificates.verification import check_value
from registry.ops.ratelimit import WindowLimit
from registry.people.access import require_recent_auth
from registry.people.face import FaceCheckRequired
from registry.people.models import FaceCheck, FacePurpose, Role
from registry.roles import require_role
from registry.stencil import Stencil


def _face_url(purpose: str, next_url: str) -> str:
    return f"{reverse('people:face_check')}?{urlencode({'purpose': purpose, 'next': next_url})}"


def _has_face_check(person, purpose: str) -> bool:
    return FaceCheck.objects.filter(person=person, purpose=purpose, used_at__isnull=True,
                                    expires_at__gt=clock.now(), verified_at__lte=clock.now()).exists()


def _person(request):
    person = getattr(request.user, "person", None)
    if person is None:
        raise Http404
    return person


def _claimable(person):
    return (Registration.objects.filter(person=person, status=RegistrationStatus.ACTIVE)
            .exclude(paper_certificate_number="").filter(certificates__isnull=True))


@require_role(Role.APPLICANT)
def my_certificates(request):
    certificates = list(certificates_of(request.user).order_by("-issued_at", "-pk"))
    current = next((c for c in certificates if c.status == CertificateStatus.VALID), None)
    return render(request, "certificates/mine.html", {
        "certificates": certificates, "current": current,
        "claimable": list(_claimable(_person(request))),
    })


@require_role(Role.APPLICANT)
def certificate_detail(request, pk: int):
    certificate = get_certificate_for(request.user, pk)
    next_url = reverse("certificates:detail", args=[certificate.pk])
    return render(request, "certificates/detail.html", {
        "certificate": certificate,
        "successor": getattr(certificate, "superseded_by", None),
        "transitions": certificate.transitions.all(),
        "face_ready": _has_face_check(_person(request), FacePurpose.DOWNLOAD),
        "face_url": _face_url(FacePurpose.DOWNLOAD, next_url),
        "check_stats": checks.statistics(certificate, now=clock.now()),
    })


@never_cache
@require_role(Role.APPLICANT)
def certificate_preview(request, pk: int):
    certificate = get_certificate_for(request.user, pk)
    with certificate_storage().open(certificate.storage_name, "rb") as handle:
        png = render_preview(handle.read())
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "private, no-store"
    return response


@require_role(Role.APPLICANT)
def certificate_print(request, pk: int):
    certificate = get_certificate_for(request.user, pk)
    return render(request, "certificates/print.html", {"certificate": certificate})


@never_cache
@require_POST
@require_recent_auth()
@require_role(Role.APPLICANT)
def certificate_download(request, pk: int):
    certificate = get_certificate_for(request.user, pk)
    try:
        content = services.download_certificate(actor=request.user, certificate=certificate, now=clock.now(),
                                                ip=client_ip(request))
    except FaceCheckRequired as exc:
        messages.warning(request, exc.message)
        return redirect(_face_url(FacePurpose.DOWNLOAD, reverse("certificates:detail", args=[certificate.pk])))
    response = HttpResponse(content, content_type="application/ofd")
    response["Content-Disposition"] = f'attachment; filename="{certificate.serial}.ofd"'
    response["Cache-Control"] = "private, no-store"
    return response


@require_recent_auth()
@require_role(Role.APPLICANT)
def claim(request):
    person = _person(request)
    claimable = list(_claimable(person))
    initial = {"paper_number": claimable[0].paper_certificate_number} if len(claimable) == 1 else {}
    form = ClaimForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        photo = data.get("photo")
        try:
            certificate = services.claim_paper_certificate(
                actor=request.user, paper_number=data["paper_number"], signature=data["signature"].read(),
                photo=photo.read() if photo else None, now=clock.now(),
            )
        except FaceCheckRequired as exc:
            messages.warning(request, exc.message)
            return redirect(_face_url(FacePurpose.CLAIM, reverse("certificates:claim")))
        except services.CertificateRefused as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("电子证书已签发（证书编号 %(serial)s），有效期与纸质证书一致。") % {"serial": certificate.serial})
            return redirect("certificates:detail", certificate.pk)
    return render(request, "certificates/claim.html", {
        "form": form, "claimable": claimable,
        "face_ready": _has_face_check(person, FacePurpose.CLAIM),
        "face_url": _face_url(FacePurpose.CLAIM, reverse("certificates:claim")),
    })


# --- public verification ---------------------------------------------------------------------------


def _too_many(request) -> HttpResponse:
    """The answer past the rate limit: try again in a minute."""
    response = render(request, "certificates/verify.html", {"limited": True}, status=429)
    response["Retry-After"] = "60"
    return response


# The verification requests of each address per minute, counted in the cache every worker shares
# (settings.CACHES["ratelimit"]): the QR page, the search, the upload check and the receipt.
_RATE = WindowLimit("verification-rate-limit", alias="ratelimit", window=60)


def _over_rate(request) -> bool:
    """Count this address's verification request in the current minute; True past the limit."""
    return _RATE.count(f"certificates:verify:{client_ip(request)}") > settings.VERIFY_RATE_PER_MINUTE


# The landing page for a visitor without a session: rendered once per shape (registry.stencil).
_LANDING = Stencil("certificates/verify.html")


def _plain_visitor(request) -> bool:
    """A request that renders like no request at all: no session (so anonymous) and no pending messages."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and CookieStorage.cookie_name not in request.COOKIES


@require_GET
def verify(request, public_id: str):
    """The QR code's landing page: the certificate's live status and its public data, for anyone.

    The status is read on every request (one query) and each scan is counted; only the rendering of an
    answer's shape is reused, for visitors without a session (registry.stencil).
    """
    if _over_rate(request):
        return _too_many(request)
    now = clock.now()
    check = request.GET.get("c", "")
    result, certificate = public.resolve_link(public_id, check, now=now)
    page = None
    if certificate is not None:
        page = public.public_view(certificate).page()
        checks.record_check(certificate, channel=CheckChannel.QR, outcome=result.outcome, now=now)
    answer = {"code": result.code, "tone": result.tone, "title": result.title, "reason": result.reason,
              "details": dict(result.details), "as_of_text": result.as_of_text}
    context = {"answer": answer, "certificate": page, "public_id": public_id, "check": check}
    if _plain_visitor(request):
        response = HttpResponse(_LANDING.render(context))
    else:
        response = render(request, "certificates/verify.html", context)
    response["Cache-Control"] = "max-age=5"  # live status: a change shows within seconds
    return response


@require_GET
def registry_search(request):
    """The public registry lookup: registration number and name, exactly; the answer links to the live page."""
    form = RegistrySearchForm(request.GET or None)
    context = {"form": form}
    if form.is_bound:
        if _over_rate(request):
            return _too_many(request)
        if form.is_valid():
            found = public.search_registry(form.cleaned_data["registration_number"], form.cleaned_data["name"])
            context["searched"] = True
            if found is not None:
                now = clock.now()
                result = public.status_answer(found, now=now)
                context.update(found=public.public_view(found), link=public.link_of(found), answer=result,
                               receipt_id=found.public_id,
                               receipt_check=check_value(found.public_id, settings.CERTIFICATE_VERIFICATION_KEY))
                checks.record_check(found, channel=CheckChannel.SEARCH, outcome=result.outcome, now=now)
    response = render(request, "certificates/search.html", context, status=400 if form.is_bound and not form.is_valid() else 200)
    response["Cache-Control"] = "no-store"
    return response


def declared_size(request) -> int | None:
    """Return the request body's declared length (what an upload is refused by before it is read)."""
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None


@never_cache
@require_http_methods(["GET", "POST"])
def upload_check(request):
    """The public upload check: anyone uploads a certificate file and sees each check and the live answer."""
    context: dict = {}
    status = 200
    if request.method == "POST":
        if _over_rate(request):
            return _too_many(request)
        try:
            size = declared_size(request)
            if size is not None and size > upload_check_service.max_bytes() + 64 * 1024:
                raise upload_check_service.too_large()
            upload = request.FILES.get("file")
            if upload is None:
                raise upload_check_service.UploadRefused(upload_check_service.NO_FILE,
                                                         "请选择要核验的电子证书文件（.ofd）。")
            data = upload_check_service.read_upload(upload, upload.size)
            result = upload_check_service.check_upload(data, now=clock.now())
        except upload_check_service.UploadRefused as exc:
            context["refused"] = exc
            status = 413 if exc.code == upload_check_service.TOO_LARGE else 400
        else:
            if result.certificate is not None:
                checks.record_check(result.certificate, channel=CheckChannel.UPLOAD, outcome=result.answer.outcome,
                                    now=result.answer.as_of)
            shown = result.public
            context.update(result=result, answer=result.answer, certificate=shown.page() if shown else None,
                           link=public.link_of(result.certificate) if result.certificate else None)
    response = render(request, "certificates/check.html", context, status=status)
    response["Cache-Control"] = "no-store"
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def verification_receipt(request):
    """The sealed verification receipt: a fresh answer for a link, as an OFD sealed by the authority.

    GET (the 下载核验回执 link of the QR page and of the search answer) shows what the receipt will state
    and its button; POST issues it. The client sends the link's public id and check value and the channel
    it checked through (qr or search), never the outcome. A link that gets no certificate gets the landing
    page's answer instead. The QR page links here rather than carrying the form itself, so that it needs
    no CSRF token and no cookie (views.verify renders it from a stencil).
    """
    if _over_rate(request):
        return _too_many(request)
    data = request.POST if request.method == "POST" else request.GET
    channel = data.get("channel", "")
    if channel not in receipts.RECEIPT_CHANNELS:
        response = render(request, "certificates/verify.html", {"bad_request": True}, status=400)
        response["Cache-Control"] = "no-store"
        return response
    if request.method == "GET":
        result, certificate = public.resolve_link(data.get("public_id", ""), data.get("c", ""), now=clock.now())
        if certificate is None:
            status = 503 if result.code == "status_unavailable" else 400
            return render(request, "certificates/verify.html", {"answer": result}, status=status)
        return render(request, "certificates/receipt.html", {
            "answer": result, "certificate": public.public_view(certificate).page(),
            "receipt_id": certificate.public_id, "receipt_check": data.get("c", ""), "receipt_channel": channel,
            "channel_label": CheckChannel(channel).label})
    public_id, check = data.get("public_id", ""), data.get("c", "")
    try:
        issued = receipts.issue_receipt(public_id, check, channel=channel, now=clock.now())
    except receipts.ReceiptRefused as exc:
        status = 503 if exc.answer.code == "status_unavailable" else 400
        response = render(request, "certificates/verify.html", {"answer": exc.answer}, status=status)
        response["Cache-Control"] = "no-store"
        return response
    response = HttpResponse(issued.content, content_type="application/ofd")
    response["Content-Disposition"] = f'attachment; filename="{issued.row.number}.ofd"'
    response["Cache-Control"] = "private, no-store"
    return response
