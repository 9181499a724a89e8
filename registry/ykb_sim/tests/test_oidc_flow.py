"""The 渝快办 sign-in run for real: a browser-like HTTP client, the site and the simulator over HTTP."""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import ECKey, KeySet

from registry.audit.models import AuditEvent
from registry.people import ykb
from registry.people.models import Person, YkbIdentity
from registry.testing import hidden_fields, id_number
from registry.ykb_sim.keys import load_key
from registry.ykb_sim.models import SimIdentity

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def provider(live_server, settings, monkeypatch):
    """Point the site at the simulator served by the live server; close every HTTP session afterwards."""
    settings.YKB_ISSUER = live_server.url + "/ykb-sim"
    opened = []
    original = requests.Session.__init__

    def tracking_init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        opened.append(self)

    monkeypatch.setattr(requests.Session, "__init__", tracking_init)
    yield live_server.url
    for session in opened:
        session.close()


def add_identity(subject="sim-wang", name="王五", number=None, **extra) -> SimIdentity:
    return SimIdentity.objects.create(subject=subject, label=name, name=name,
                                      id_number=number or id_number("50010619920304003"), mobile="13800000003",
                                      **extra)


def sign_in(base: str, identity: SimIdentity, browser: requests.Session | None = None):
    """Drive the whole flow like a browser; return the session and the final response."""
    browser = browser or requests.Session()
    page = browser.get(base + "/ykb/login/?next=/")
    assert page.status_code == 200 and "渝快办登录" in page.text
    assert urlsplit(page.url).path == "/ykb-sim/authorize"
    query = parse_qs(urlsplit(page.url).query)
    assert query["code_challenge_method"] == ["S256"] and query["nonce"][0]
    fields = hidden_fields(page.text)
    fields["identity"] = str(identity.pk)
    fields["allow"] = "1"
    done = browser.post(page.url.split("?")[0], data=fields, headers={"Referer": page.url})
    return browser, done


def test_a_new_person_signs_in_and_gets_an_applicant_account(provider, db):
    identity = add_identity()
    browser, done = sign_in(provider, identity)
    assert done.status_code == 200
    person = Person.objects.get(id_number=identity.id_number)
    assert person.name == "王五" and person.user.role == "applicant"
    assert YkbIdentity.objects.filter(user=person.user, subject="sim-wang").exists()
    assert AuditEvent.objects.filter(action="people.signin.succeeded", actor=person.user,
                                     details__method="ykb").exists()
    # The ID number never travels in a URL of the flow.
    assert identity.id_number not in done.url and all(identity.id_number not in r.url for r in done.history)


def test_an_existing_person_is_linked_not_duplicated(provider, personas):
    identity = add_identity(subject="sim-zhang", name="张三", number=personas.person.id_number)
    sign_in(provider, identity)
    assert Person.objects.filter(id_number=personas.person.id_number).count() == 1
    assert YkbIdentity.objects.get(subject="sim-zhang").user == personas.applicant


def test_it_refuses_a_record_with_the_same_number_and_another_name(provider, personas):
    identity = add_identity(subject="sim-fake", name="张叁", number=personas.person.id_number)
    _browser, done = sign_in(provider, identity)
    assert "不一致" in done.text and "没有自动合并" in done.text
    assert Person.objects.get(pk=personas.person.pk).name == "张三"
    assert not YkbIdentity.objects.filter(subject="sim-fake").exists()
    event = AuditEvent.objects.get(action="people.signin.identity_conflict")
    assert personas.person.id_number not in str(event.details)


def test_it_refuses_a_real_name_level_below_the_minimum(provider, db):
    identity = add_identity(real_name_level="L1")
    _browser, done = sign_in(provider, identity)
    assert "实名认证等级不足" in done.text
    assert not Person.objects.exists()


def test_a_replayed_callback_is_refused(provider, db):
    identity = add_identity()
    browser, done = sign_in(provider, identity)
    callback = next(r for r in done.history if "/ykb/callback/" in r.headers.get("Location", "") or
                    "/ykb/callback/" in r.url)
    location = callback.headers["Location"]
    replay = requests.Session().get(location if location.startswith("http") else provider + location)
    assert "登录请求已失效或已使用" in replay.text


def _pkce_code(base: str, identity: SimIdentity, verifier: str, nonce: str = "n-1") -> tuple[str, str]:
    """Ask the simulator for a code directly, as a client would; return the code and redirect URI."""
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    redirect_uri = base + "/ykb/callback/"
    session = requests.Session()
    params = {"client_id": "cq-jzs-registry", "redirect_uri": redirect_uri, "response_type": "code",
              "scope": "openid profile", "state": "s", "nonce": nonce, "code_challenge": challenge,
              "code_challenge_method": "S256"}
    page = session.get(base + "/ykb-sim/authorize", params=params)
    fields = hidden_fields(page.text) | {"identity": str(identity.pk)}
    answer = session.post(base + "/ykb-sim/authorize", data=fields, allow_redirects=False)
    return parse_qs(urlsplit(answer.headers["Location"]).query)["code"][0], redirect_uri


def _exchange(base, code, redirect_uri, verifier):
    return requests.post(base + "/ykb-sim/token", data={
        "grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier,
    }, auth=("cq-jzs-registry", "demo-ykb-client-secret"))


def test_a_code_is_redeemed_once_and_a_replay_revokes_its_token(provider, db):
    identity = add_identity()
    verifier = secrets.token_urlsafe(48)
    code, redirect_uri = _pkce_code(provider, identity, verifier)
    first = _exchange(provider, code, redirect_uri, verifier)
    assert first.status_code == 200
    access = first.json()["access_token"]
    assert requests.get(provider + "/ykb-sim/userinfo", headers={"Authorization": f"Bearer {access}"}).ok
    second = _exchange(provider, code, redirect_uri, verifier)
    assert second.status_code == 400 and second.json()["error"] == "invalid_grant"
    revoked = requests.get(provider + "/ykb-sim/userinfo", headers={"Authorization": f"Bearer {access}"})
    assert revoked.status_code == 401


def test_a_wrong_pkce_verifier_is_refused(provider, db):
    identity = add_identity()
    code, redirect_uri = _pkce_code(provider, identity, secrets.token_urlsafe(48))
    answer = _exchange(provider, code, redirect_uri, secrets.token_urlsafe(48))
    assert answer.status_code == 400 and answer.json()["error"] == "invalid_grant"


def test_the_simulator_refuses_plain_pkce_and_foreign_redirects(provider, db):
    base = {"client_id": "cq-jzs-registry", "response_type": "code", "scope": "openid", "state": "s",
            "code_challenge": "x" * 43}
    foreign = requests.get(provider + "/ykb-sim/authorize", allow_redirects=False,
                           params=base | {"redirect_uri": "https://evil.example/ykb/callback/",
                                          "code_challenge_method": "S256"})
    assert foreign.status_code == 400
    plain = requests.get(provider + "/ykb-sim/authorize", allow_redirects=False,
                         params=base | {"redirect_uri": provider + "/ykb/callback/", "code_challenge_method": "plain"})
    assert plain.status_code == 302 and "error=invalid_request" in plain.headers["Location"]


def test_the_discovery_document_names_this_issuer(provider, db):
    document = requests.get(provider + "/ykb-sim/.well-known/openid-configuration").json()
    assert document["issuer"] == provider + "/ykb-sim"
    assert document["code_challenge_methods_supported"] == ["S256"]
    keys = requests.get(document["jwks_uri"]).json()["keys"]
    assert keys and all("d" not in key for key in keys)


# --- ID-token validation, against the keys the provider publishes over HTTP --------------------------


def _id_token(provider_url, *, key=None, **overrides) -> str:
    key = key or load_key("oidc")
    now = int(time.time())
    claims = {"iss": provider_url + "/ykb-sim", "aud": "cq-jzs-registry", "sub": "s-1", "iat": now,
              "exp": now + 300, "nonce": "expected"} | overrides
    return jwt.encode({"alg": "ES256", "kid": key.kid}, claims, key)


def test_a_genuine_id_token_is_accepted(provider, db):
    assert ykb.validate_id_token(_id_token(provider), nonce="expected")["sub"] == "s-1"


def test_a_forged_id_token_is_refused(provider, db):
    impostor = ECKey.generate_key("P-256", parameters={"kid": load_key("oidc").kid})
    with pytest.raises(ykb.YkbError):
        ykb.validate_id_token(_id_token(provider, key=impostor), nonce="expected")


def test_an_unsigned_id_token_is_refused(provider, db):
    header = base64.urlsafe_b64encode(b'{"alg":"none"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(
        f'{{"iss":"{provider}/ykb-sim","aud":"cq-jzs-registry","sub":"s","exp":9999999999,"iat":1,"nonce":"expected"}}'
        .encode()).rstrip(b"=").decode()
    with pytest.raises(ykb.YkbError):
        ykb.validate_id_token(f"{header}.{body}.", nonce="expected")


def test_an_expired_id_token_is_refused(provider, db):
    old = int(time.time()) - 3600
    with pytest.raises(ykb.YkbError):
        ykb.validate_id_token(_id_token(provider, iat=old, exp=old + 300), nonce="expected")


def test_an_id_token_for_another_client_is_refused(provider, db):
    with pytest.raises(ykb.YkbError):
        ykb.validate_id_token(_id_token(provider, aud="another-app"), nonce="expected")


def test_an_id_token_from_another_issuer_is_refused(provider, db):
    with pytest.raises(ykb.YkbError):
        ykb.validate_id_token(_id_token(provider, iss="https://elsewhere.example"), nonce="expected")


def test_a_replayed_id_token_of_an_earlier_sign_in_is_refused(provider, db):
    earlier = _id_token(provider, nonce="nonce-of-an-earlier-sign-in")
    with pytest.raises(ykb.YkbError):
        ykb.validate_id_token(earlier, nonce="nonce-of-this-sign-in")


def test_the_keys_come_from_the_providers_jwks_over_http(provider, db):
    keys = ykb.provider_keys()
    assert isinstance(keys, KeySet) and keys.keys[0].kid == load_key("oidc").kid


def test_a_legal_person_signs_in_and_is_asked_to_authenticate_the_enterprise(provider, personas):
    from registry.people.models import EnterpriseOperator

    enterprise = personas.enterprise_a
    enterprise.auth_state = "authenticated"
    enterprise.save()
    identity = add_identity(subject="sim-legal", name="赵山城", number=id_number("50010319700101004"),
                            kind="legal", credit_code=enterprise.credit_code, enterprise_name=enterprise.name)
    _browser, done = sign_in(provider, identity)
    assert urlsplit(done.url).path == "/enterprise/authenticate/"
    assert "身份锁认证" in done.text and enterprise.name in done.text
    user = YkbIdentity.objects.get(subject="sim-legal").user
    assert user.role == "enterprise" and not EnterpriseOperator.objects.filter(user=user).exists()
    assert not Person.objects.filter(name="赵山城").exists()
