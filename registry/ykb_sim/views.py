"""The simulated 渝快办: OpenID Connect provider, face-verification page and software identity lock.

It follows the protocol the real provider speaks so the site's client code is the same for both:
discovery, authorize (code + PKCE S256 only), token (client secret, single-use codes), userinfo
(bearer token) and a JWKS with the ES256 key that signs ID tokens.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.db import transaction
from django.http import HttpResponseBadRequest, HttpResponseRedirect, JsonResponse
from django.http.request import validate_host
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from joserfc import jwt

from registry import clock
from registry.masking import mask_id_number
from registry.people.lock import SoftwareLock, b64url
from registry.ykb_sim.keys import load_key, public_jwks
from registry.ykb_sim.models import SimAccessToken, SimAuthCode, SimIdentity

CODE_LIFETIME = timedelta(minutes=2)
TOKEN_LIFETIME = timedelta(minutes=5)
ID_TOKEN_SECONDS = 300
FACE_RESULT_SECONDS = 600


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def issuer_for(request) -> str:
    """Return this simulator's issuer URL as seen by the caller."""
    return f"{request.scheme}://{request.get_host()}{settings.YKB_SIM_PATH}"


def _allowed_return(url: str, path: str | None = None) -> bool:
    """Return whether url points back at this site (a host in ALLOWED_HOSTS, optionally a fixed path)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        return parts.scheme == "" and parts.netloc == "" and url.startswith("/") and not url.startswith("//")
    if not validate_host(parts.hostname, settings.ALLOWED_HOSTS):
        return False
    return path is None or parts.path == path


@require_GET
def discovery(request):
    """Serve the OpenID Provider configuration document."""
    base = issuer_for(request)
    return JsonResponse({
        "issuer": base,
        "authorization_endpoint": base + "/authorize",
        "token_endpoint": base + "/token",
        "userinfo_endpoint": base + "/userinfo",
        "jwks_uri": base + "/jwks",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["ES256"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "scopes_supported": ["openid", "profile", "phone", "ykb.realname"],
        "claims_supported": ["sub", "name", "phone_number", "id_card_number", "real_name_level",
                             "account_type", "credit_code", "enterprise_name"],
    })


@require_GET
def jwks(request):
    """Serve the public keys that sign ID tokens."""
    return JsonResponse(public_jwks("oidc"))


def _authorize_error(redirect_uri: str, state: str, error: str) -> HttpResponseRedirect:
    query = urlencode({"error": error, "state": state})
    return HttpResponseRedirect(f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{query}")


@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request):
    """Show the test identities to sign in as; on a pick, redirect back with a one-time code."""
    params = request.POST if request.method == "POST" else request.GET
    client_id = params.get("client_id", "")
    redirect_uri = params.get("redirect_uri", "")
    state = params.get("state", "")
    # Client and redirect URI first: an error about them is never redirected (RFC 6749 §4.1.2.1).
    callback_path = reverse("people:ykb_callback")
    if client_id != settings.YKB_CLIENT_ID or not _allowed_return(redirect_uri, callback_path):
        return render(request, "ykb_sim/error.html", {"error": "未登记的应用或回调地址"}, status=400)
    if params.get("response_type") != "code":
        return _authorize_error(redirect_uri, state, "unsupported_response_type")
    scope = params.get("scope", "")
    if "openid" not in scope.split():
        return _authorize_error(redirect_uri, state, "invalid_scope")
    challenge = params.get("code_challenge", "")
    if params.get("code_challenge_method") != "S256" or not 43 <= len(challenge) <= 128:
        return _authorize_error(redirect_uri, state, "invalid_request")
    fields = {key: params.get(key, "") for key in
              ("client_id", "redirect_uri", "state", "scope", "nonce", "code_challenge",
               "code_challenge_method", "response_type")}
    if request.method == "GET":
        identities = [(i, mask_id_number(i.id_number)) for i in SimIdentity.objects.all()]
        return render(request, "ykb_sim/authorize.html", {"identities": identities, "fields": fields})
    if "cancel" in request.POST:
        return _authorize_error(redirect_uri, state, "access_denied")
    identity = get_object_or_404(SimIdentity, pk=request.POST.get("identity", "0") or "0")
    code = secrets.token_urlsafe(32)
    SimAuthCode.objects.create(
        code_hash=_sha256(code), identity=identity, client_id=client_id, redirect_uri=redirect_uri,
        scope=scope, nonce=params.get("nonce", ""), code_challenge=challenge,
        expires_at=clock.now() + CODE_LIFETIME,
    )
    query = urlencode({"code": code, "state": state})
    return HttpResponseRedirect(f"{redirect_uri}{'&' if '?' in redirect_uri else '?'}{query}")


def _token_error(error: str, status: int = 400) -> JsonResponse:
    response = JsonResponse({"error": error}, status=status)
    response["Cache-Control"] = "no-store"
    return response


def _client_credentials(request) -> tuple[str, str]:
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if header.startswith("Basic "):
        try:
            decoded = base64.b64decode(header[6:]).decode("utf-8")
        except (ValueError, UnicodeDecodeError):
            return "", ""
        client_id, _, secret = decoded.partition(":")
        from urllib.parse import unquote_plus

        return unquote_plus(client_id), unquote_plus(secret)
    return request.POST.get("client_id", ""), request.POST.get("client_secret", "")


@csrf_exempt  # a back-channel call authenticated by the client secret, never by a browser cookie
@require_POST
def token(request):
    """Exchange a code for an access token and a signed ID token (once)."""
    client_id, secret = _client_credentials(request)
    if client_id != settings.YKB_CLIENT_ID or not hmac.compare_digest(
        secret.encode(), settings.YKB_CLIENT_SECRET.encode()
    ):
        return _token_error("invalid_client", 401)
    if request.POST.get("grant_type") != "authorization_code":
        return _token_error("unsupported_grant_type")
    now = clock.now()
    code = SimAuthCode.objects.filter(code_hash=_sha256(request.POST.get("code", ""))).first()
    if code is None or code.client_id != client_id:
        return _token_error("invalid_grant")
    with transaction.atomic():
        claimed = SimAuthCode.objects.filter(pk=code.pk, used_at__isnull=True).update(used_at=now)
        if not claimed:
            # A replayed code: revoke whatever it already produced (RFC 6749 §4.1.2).
            code.tokens.update(revoked_at=now)
            return _token_error("invalid_grant")
    if code.expires_at <= now or request.POST.get("redirect_uri") != code.redirect_uri:
        return _token_error("invalid_grant")
    verifier = request.POST.get("code_verifier", "")
    expected = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode("ascii", "ignore")).digest()).rstrip(b"=")
    if not verifier or not hmac.compare_digest(expected.decode(), code.code_challenge):
        return _token_error("invalid_grant")
    access = secrets.token_urlsafe(32)
    SimAccessToken.objects.create(token_hash=_sha256(access), code=code, expires_at=now + TOKEN_LIFETIME)
    issued = int(clock.timestamp())
    key = load_key("oidc")
    claims = {
        "iss": issuer_for(request), "sub": code.identity.subject, "aud": client_id, "azp": client_id,
        "iat": issued, "exp": issued + ID_TOKEN_SECONDS, "auth_time": issued, "nonce": code.nonce,
        "jti": secrets.token_hex(16),
    }
    id_token = jwt.encode({"alg": "ES256", "kid": key.kid, "typ": "JWT"}, claims, key)
    response = JsonResponse({
        "access_token": access, "token_type": "Bearer", "expires_in": int(TOKEN_LIFETIME.total_seconds()),
        "scope": code.scope, "id_token": id_token,
    })
    response["Cache-Control"] = "no-store"
    return response


@csrf_exempt
@require_http_methods(["GET", "POST"])
def userinfo(request):
    """Return the real-name attributes of the identity an access token was issued for."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Bearer "):
        return _token_error("invalid_token", 401)
    access = SimAccessToken.objects.select_related("code__identity").filter(token_hash=_sha256(header[7:])).first()
    if access is None or access.revoked_at or access.expires_at <= clock.now():
        return _token_error("invalid_token", 401)
    identity = access.code.identity
    claims = {
        "sub": identity.subject, "name": identity.name, "phone_number": identity.mobile,
        "id_card_number": identity.id_number, "real_name_level": identity.real_name_level,
        "account_type": identity.kind,
    }
    if identity.kind == "legal":
        claims.update(credit_code=identity.credit_code, enterprise_name=identity.enterprise_name)
    return JsonResponse(claims)


# --- Face verification provider ----------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def face(request):
    """"Capture" a face and return a signed, short-lived result to the site."""
    params = request.POST if request.method == "POST" else request.GET
    fields = {key: params.get(key, "") for key in ("request", "subject", "purpose", "return_to")}
    if not fields["request"] or not _allowed_return(fields["return_to"]):
        return render(request, "ykb_sim/error.html", {"error": "人脸识别请求无效"}, status=400)
    if request.method == "GET":
        return render(request, "ykb_sim/face.html", {"fields": fields})
    issued = int(clock.timestamp())
    key = load_key("face")
    claims = {
        "iss": settings.FACE_PROVIDER_ISSUER, "aud": settings.YKB_CLIENT_ID, "jti": secrets.token_hex(16),
        "request": fields["request"], "sub": fields["subject"], "purpose": fields["purpose"],
        "outcome": "pass" if "pass" in request.POST else "fail", "iat": issued, "exp": issued + FACE_RESULT_SECONDS,
    }
    result = jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)
    target = fields["return_to"]
    return HttpResponseRedirect(f"{target}{'&' if '?' in target else '?'}{urlencode({'result': result})}")


# --- Software identity lock ("lock driver") ----------------------------------------------------------


def lock_dir() -> Path:
    """Return the folder of the demo's software identity locks."""
    return Path(settings.YKB_SIM_KEY_DIR) / "locks"


def _available_locks() -> list[str]:
    folder = lock_dir()
    if not folder.is_dir():
        return []
    return sorted(p.name.removesuffix(".cert.der") for p in folder.glob("*.cert.der"))


@never_cache
@require_http_methods(["GET", "POST"])
def lock(request):
    """Act as the lock driver: sign the site's challenge with the chosen software lock."""
    params = request.POST if request.method == "POST" else request.GET
    fields = {key: params.get(key, "") for key in ("challenge", "return_to")}
    if not fields["challenge"] or not _allowed_return(fields["return_to"]):
        return render(request, "ykb_sim/error.html", {"error": "身份锁请求无效"}, status=400)
    locks = _available_locks()
    if request.method == "GET":
        return render(request, "ykb_sim/lock.html", {"fields": fields, "locks": locks})
    name = request.POST.get("lock", "")
    if name not in locks:
        return HttpResponseBadRequest("unknown lock")
    response = SoftwareLock.load(lock_dir(), name).respond(fields["challenge"])
    # The answer goes back in a POST body: the certificate names the enterprise, so never in a URL.
    answer = {"challenge": fields["challenge"], "certificate": b64url(response.certificate_der),
              "signature": b64url(response.signature)}
    return render(request, "ykb_sim/lock_return.html", {"target": fields["return_to"], "answer": answer})
