"""渝快办 sign-in: the OpenID Connect client (authorization code + PKCE S256) through authlib.

The adapter is the same for the real provider and the simulator; only settings differ. It validates
the ID token itself (signature against the provider's JWKS, iss, aud, exp, iat, nonce) before it
trusts the userinfo answer, and it never logs the attributes it receives.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils.translation import gettext as _
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from registry import clock
from registry.errors import DomainError

# Claim names of the provider's userinfo answer. The official 渝快办 manual belongs to the deployment;
# these are the names our simulator uses, kept in one place so a mapping change is one edit.
CLAIM_NAME = "name"
CLAIM_ID_NUMBER = "id_card_number"
CLAIM_MOBILE = "phone_number"
CLAIM_LEVEL = "real_name_level"
CLAIM_ACCOUNT_TYPE = "account_type"
CLAIM_CREDIT_CODE = "credit_code"
CLAIM_ENTERPRISE_NAME = "enterprise_name"

SESSION_KEY = "ykb_pending"
DISCOVERY_CACHE_SECONDS = 300


class YkbError(DomainError):
    """Sign-in through 渝快办 failed; the message is safe to show."""

    code = "ykb.failed"

    def __init__(self, message: str, *, code: str | None = None):
        super().__init__(message, code)


@dataclass(frozen=True)
class YkbClaims:
    """The verified attributes of a 渝快办 account."""

    issuer: str
    subject: str
    account_type: str
    name: str
    id_number: str
    mobile: str
    real_name_level: str
    credit_code: str = ""
    enterprise_name: str = ""


def _http() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = "cq-jzs-registry"
    return session


def discovery() -> dict:
    """Return the provider's configuration document (cached briefly)."""
    issuer = settings.YKB_ISSUER
    if not issuer:
        raise YkbError(_("渝快办登录尚未配置，请联系系统管理员。"), code="ykb.not_configured")
    cache_key = f"ykb:discovery:{issuer}"
    document = cache.get(cache_key)
    if document is None:
        try:
            with _http() as http:
                response = http.get(issuer + "/.well-known/openid-configuration", timeout=settings.YKB_HTTP_TIMEOUT)
                response.raise_for_status()
                document = response.json()
        except (requests.RequestException, ValueError):
            raise YkbError(_("暂时无法连接渝快办，请稍后再试。"), code="ykb.unreachable") from None
        if document.get("issuer") != issuer:
            raise YkbError(_("渝快办配置不一致，登录已中止。"), code="ykb.issuer_mismatch")
        cache.set(cache_key, document, DISCOVERY_CACHE_SECONDS)
    return document


def provider_keys(*, refresh: bool = False) -> KeySet:
    """Return the provider's public signing keys (cached; refreshed once when a kid is unknown)."""
    uri = discovery()["jwks_uri"]
    cache_key = f"ykb:jwks:{uri}"
    data = None if refresh else cache.get(cache_key)
    if data is None:
        try:
            with _http() as http:
                response = http.get(uri, timeout=settings.YKB_HTTP_TIMEOUT)
                response.raise_for_status()
                data = response.json()
        except (requests.RequestException, ValueError):
            raise YkbError(_("暂时无法连接渝快办，请稍后再试。"), code="ykb.unreachable") from None
        cache.set(cache_key, data, DISCOVERY_CACHE_SECONDS)
    return KeySet.import_key_set(data)


def redirect_uri(request) -> str:
    """Return the callback URL registered with the provider."""
    return settings.YKB_REDIRECT_URI or request.build_absolute_uri(reverse("people:ykb_callback"))


def _client(request) -> OAuth2Session:
    return OAuth2Session(
        client_id=settings.YKB_CLIENT_ID,
        client_secret=settings.YKB_CLIENT_SECRET,
        scope=settings.YKB_SCOPES,
        redirect_uri=redirect_uri(request),
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )


def begin(request, next_url: str) -> str:
    """Remember state, nonce and PKCE verifier in the session and return the provider's authorize URL."""
    document = discovery()
    state, nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(24), generate_token(64)
    url, _state = _client(request).create_authorization_url(
        document["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
    )
    request.session[SESSION_KEY] = {"state": state, "nonce": nonce, "verifier": verifier,
                                    "next": next_url, "at": int(clock.timestamp())}
    return url


def validate_id_token(id_token: str, *, nonce: str, keys: KeySet | None = None, now: int | None = None) -> dict:
    """Return the claims of a valid ID token for this client and nonce, or raise YkbError.

    Checked: the signature (allowed algorithms only, against the provider's JWKS), iss, aud (and azp
    when there are several audiences), exp and iat with a small skew, and the nonce of this sign-in.
    """
    issuer = settings.YKB_ISSUER
    keys = keys or provider_keys()
    refused = YkbError(_("渝快办身份凭证无效，登录已中止。"), code="ykb.id_token_invalid")
    try:
        token = jwt.decode(id_token, keys, algorithms=settings.YKB_ID_TOKEN_ALGORITHMS)
    except JoseError:
        # Perhaps the provider rotated its key: fetch the JWKS once more, then give up.
        try:
            token = jwt.decode(id_token, provider_keys(refresh=True), algorithms=settings.YKB_ID_TOKEN_ALGORITHMS)
        except (JoseError, ValueError):
            raise refused from None
    except ValueError:
        raise refused from None
    claims = token.claims
    now = int(clock.timestamp()) if now is None else now
    registry = jwt.JWTClaimsRegistry(
        now=now,
        leeway=settings.YKB_CLOCK_SKEW_SECONDS,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": settings.YKB_CLIENT_ID},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except JoseError:
        raise refused from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != settings.YKB_CLIENT_ID:
        raise refused
    if claims["iat"] > now + settings.YKB_CLOCK_SKEW_SECONDS:
        raise refused
    return claims


_LEVELS = ["L1", "L2", "L3", "L4"]


def level_sufficient(level: str) -> bool:
    """Return whether a real-name level meets the configured minimum."""
    minimum = settings.YKB_MIN_REAL_NAME_LEVEL
    if level not in _LEVELS:
        return False
    return minimum not in _LEVELS or _LEVELS.index(level) >= _LEVELS.index(minimum)


def complete(request) -> tuple[YkbClaims, str]:
    """Finish the sign-in on the callback: check state, redeem the code, validate, fetch attributes.

    Return the verified claims and the page to continue to. The pending state is removed from the
    session first, so a replayed callback finds nothing and fails.
    """
    pending = request.session.pop(SESSION_KEY, None)
    if request.GET.get("error"):
        raise YkbError(_("您在渝快办取消了授权，未登录。"), code="ykb.denied")
    state = request.GET.get("state", "")
    if not pending or not state or not secrets.compare_digest(state, pending["state"]):
        raise YkbError(_("登录请求已失效或已使用，请重新从“渝快办登录”开始。"), code="ykb.state_invalid")
    if int(clock.timestamp()) - pending["at"] > 600:
        raise YkbError(_("登录请求已超时，请重新登录。"), code="ykb.state_expired")
    code = request.GET.get("code", "")
    if not code:
        raise YkbError(_("渝快办未返回授权码，请重新登录。"), code="ykb.no_code")
    document = discovery()
    with _client(request) as client:
        return _redeem(client, document, code, pending)


def _redeem(client: OAuth2Session, document: dict, code: str, pending: dict) -> tuple[YkbClaims, str]:
    """Exchange the code, validate the ID token and read the userinfo attributes."""
    try:
        token = client.fetch_token(
            document["token_endpoint"], grant_type="authorization_code", code=code,
            code_verifier=pending["verifier"], timeout=settings.YKB_HTTP_TIMEOUT,
        )
    except Exception:  # noqa: BLE001 - authlib raises OAuthError, requests errors, JSON errors
        raise YkbError(_("渝快办拒绝了本次登录（授权码无效或已使用），请重新登录。"), code="ykb.token_refused") from None
    id_token = token.get("id_token")
    if not id_token:
        raise YkbError(_("渝快办未返回身份凭证，登录已中止。"), code="ykb.no_id_token")
    id_claims = validate_id_token(id_token, nonce=pending["nonce"])
    try:
        response = client.get(document["userinfo_endpoint"], timeout=settings.YKB_HTTP_TIMEOUT)
        response.raise_for_status()
        info = response.json()
    except (requests.RequestException, ValueError):
        raise YkbError(_("暂时无法获取渝快办实名信息，请稍后再试。"), code="ykb.userinfo_failed") from None
    if info.get("sub") != id_claims["sub"]:
        raise YkbError(_("渝快办身份凭证无效，登录已中止。"), code="ykb.sub_mismatch")
    claims = YkbClaims(
        issuer=id_claims["iss"],
        subject=id_claims["sub"],
        account_type="legal" if info.get(CLAIM_ACCOUNT_TYPE) == "legal" else "person",
        name=(info.get(CLAIM_NAME) or "").strip(),
        id_number=(info.get(CLAIM_ID_NUMBER) or "").strip().upper(),
        mobile=(info.get(CLAIM_MOBILE) or "").strip(),
        real_name_level=(info.get(CLAIM_LEVEL) or "").strip(),
        credit_code=(info.get(CLAIM_CREDIT_CODE) or "").strip().upper(),
        enterprise_name=(info.get(CLAIM_ENTERPRISE_NAME) or "").strip(),
    )
    return claims, pending.get("next") or ""
