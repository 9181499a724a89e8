"""The public JSON API for relying parties: status by link, registry search, upload check (django-ninja).

Anonymous and stateless: no authentication is declared and no view reads the session or the user, so
the API never acts with a visitor's session; with no auth ninja applies no CSRF check, which is right here (no cookie is relied on).
Every operation shares the public pages' per-address rate limit; every refusal is JSON with a stable
``code`` and a Chinese ``message``. The OpenAPI document is at ``/api/openapi.json``; the interactive docs
page is off (it would load its scripts from a CDN).
"""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from ninja import Field, NinjaAPI, Query, Schema, Status
from ninja.errors import HttpError, ValidationError

from registry import clock
from registry.certificates import checks, public
from registry.certificates import upload_check as service
from registry.certificates.forms import RegistrySearchForm
from registry.certificates.models import Certificate, CheckChannel
from registry.certificates.outcomes import Answer

api = NinjaAPI(
    title="重庆市二级建造师电子注册证书核验接口", version="1", docs_url=None, urls_namespace="api",
    description="电子证书的实时状态、注册信息查询与上传文件核验。每个地址每分钟的查询次数有限制（超出返回 429）。",
)


class AnswerOut(Schema):
    outcome: str
    title: str
    reason: str
    as_of: str
    trustworthy: bool
    details: dict[str, str] | None = None


class SpecialtyOut(Schema):
    name: str
    valid_from: date
    valid_to: date


class CertificateOut(Schema):
    name: str
    registration_number: str
    employer_name: str
    issue_date: date
    specialties: list[SpecialtyOut]
    serial: str
    version: int
    link: str


class StatusOut(Schema):
    answer: AnswerOut
    certificate: CertificateOut | None = None


class SearchOut(Schema):
    found: bool
    answer: AnswerOut | None = None
    certificate: CertificateOut | None = None


class StepOut(Schema):
    code: str
    label: str
    text: str
    status: str
    result: str


class CheckOut(Schema):
    answer: AnswerOut
    certificate: CertificateOut | None = None
    steps: list[StepOut]


class ErrorOut(Schema):
    code: str
    message: str


class SearchIn(Schema):
    registration_number: str = Field(min_length=1, max_length=20, description="注册编号（如“渝2502021202300001”）")
    name: str = Field(min_length=1, max_length=50, description="姓名（完全一致）")


RATE_LIMITED = {"code": "rate_limited", "message": "查询过于频繁，请一分钟后再试。"}


def _error(request: HttpRequest, status: int, code: str, message: str):
    response = api.create_response(request, {"code": code, "message": message}, status=status)
    response["Cache-Control"] = "no-store"
    return response


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, exc: ValidationError):
    return _error(request, 422, "invalid_input", "请求参数不完整或格式不正确。")


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError):
    return _error(request, exc.status_code, "bad_request", "请求无法处理。")


def _limited(request: HttpRequest) -> bool:
    from registry.certificates.views import _over_rate

    return _over_rate(request)


def _answer(result: Answer) -> dict:
    data = result.to_dict()
    data.setdefault("details", None)
    return data


def _certificate(certificate: Certificate | None) -> dict | None:
    if certificate is None:
        return None
    return {**public.public_view(certificate).__dict__, "link": public.link_of(certificate)}


_ERRORS = {400: ErrorOut, 413: ErrorOut, 422: ErrorOut, 429: ErrorOut}


@api.get("/certificates/{public_id}", response={200: StatusOut, **_ERRORS}, summary="按核验链接查询证书实时状态")
def certificate_status(request: HttpRequest, public_id: str, c: str = ""):
    """The answer of a certificate's verification link (its public id and check value ``c``)."""
    if _limited(request):
        return Status(429, RATE_LIMITED)
    now = clock.now()
    result, certificate = public.resolve_link(public_id, c, now=now)
    if certificate is not None:
        checks.record_check(certificate, channel=CheckChannel.API, outcome=result.outcome, now=now)
    return Status(200, {"answer": _answer(result), "certificate": _certificate(certificate)})


def _search(request: HttpRequest, registration_number: str, name: str):
    if _limited(request):
        return Status(429, RATE_LIMITED)
    form = RegistrySearchForm({"registration_number": registration_number, "name": name})
    if not form.is_valid():
        message = next(iter(form.errors.values()))[0]
        return Status(400, {"code": "invalid_input", "message": message})
    found = public.search_registry(form.cleaned_data["registration_number"], form.cleaned_data["name"])
    if found is None:
        return Status(200, {"found": False})
    now = clock.now()
    result = public.status_answer(found, now=now)
    checks.record_check(found, channel=CheckChannel.API, outcome=result.outcome, now=now)
    return Status(200, {"found": True, "answer": _answer(result), "certificate": _certificate(found)})


@api.get("/search", response={200: SearchOut, **_ERRORS}, summary="按注册编号和姓名查询")
def search_get(request: HttpRequest, query: Query[SearchIn]):
    """The registry lookup: registration number and name, matched exactly."""
    return _search(request, query.registration_number, query.name)


@api.post("/search", response={200: SearchOut, **_ERRORS}, summary="按注册编号和姓名查询（POST）")
def search_post(request: HttpRequest, body: SearchIn):
    """The registry lookup with the fields in a JSON body (keeps the name out of URLs and logs)."""
    return _search(request, body.registration_number, body.name)


_UPLOAD_BODY = {"requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
    "type": "object", "required": ["file"],
    "properties": {"file": {"type": "string", "format": "binary", "description": "电子证书文件（.ofd）"}}}}}}}


@api.post("/check", response={200: CheckOut, **_ERRORS}, summary="上传电子证书文件核验", openapi_extra=_UPLOAD_BODY)
def upload_check(request: HttpRequest):
    """Verify an uploaded certificate file: its seals, then the stored certificate's live status."""
    from registry.certificates.views import declared_size

    if _limited(request):
        return Status(429, RATE_LIMITED)
    try:
        size = declared_size(request)
        if size is not None and size > service.max_bytes() + 64 * 1024:
            raise service.too_large()
        upload = request.FILES.get("file") if request.content_type == "multipart/form-data" else None
        if upload is None:
            raise service.UploadRefused(service.NO_FILE, "请选择要核验的电子证书文件（.ofd）。")
        result = service.check_upload(service.read_upload(upload, upload.size), now=clock.now())
    except service.UploadRefused as exc:
        return Status(413 if exc.code == service.TOO_LARGE else 400, {"code": exc.code, "message": exc.message})
    if result.certificate is not None:
        checks.record_check(result.certificate, channel=CheckChannel.API, outcome=result.answer.outcome,
                            now=result.answer.as_of)
    return Status(200, {"answer": _answer(result.answer), "certificate": _certificate(result.certificate),
                         "steps": [step.to_dict() for step in result.steps]})
