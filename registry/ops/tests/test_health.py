"""/healthz says the process is up; /readyz says whether it can serve, naming failed checks, never secrets."""

from __future__ import annotations

import json

import pytest
from django.tasks import task_backends
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.exceptions import TaskResultDoesNotExist
from django.test import Client

from registry.certificates.sealing import get_sealing
from registry.ops.tests.helpers import PRODUCTION, postgres_url_of_test_database, run_python

pytestmark = pytest.mark.django_db

READYZ = """
from django.test import Client
response = Client(HTTP_HOST='jzs.example.gov.cn').get('/readyz')
print(response.status_code)
print(response.content.decode())
"""


@pytest.fixture
def private_root(settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.SEAL_KEY_DIR = tmp_path / "seal"
    settings.DEMO_MODE = True  # the demo signer is created in SEAL_KEY_DIR on first use
    get_sealing.cache_clear()
    yield tmp_path
    get_sealing.cache_clear()


def test_healthz_answers_without_touching_anything(settings):
    settings.READINESS_CHECKS = ["registry.ops.tests.test_health.explode"]
    response = Client().get("/healthz")
    assert response.status_code == 200 and response.json() == {"status": "ok"}
    assert response["Cache-Control"].startswith("max-age=0")


def test_readyz_is_green_when_everything_answers(private_root):
    response = Client().get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {"status": "ok", "checks": {
        "database": "ok", "migrations": "ok", "storage": "ok", "signer": "ok", "task_queue": "ok"}}
    # The storage probe leaves nothing behind.
    assert list((private_root / "private" / "readyz").iterdir()) == []


def test_readyz_is_red_when_storage_is_not_writable(private_root, settings):
    blocker = private_root / "a-file"
    blocker.write_text("not a folder")
    settings.PRIVATE_STORAGE_ROOT = blocker
    response = Client().get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["storage"] == "fail" and response.json()["checks"]["database"] == "ok"


def test_readyz_is_red_when_the_signing_service_does_not_answer(private_root, settings, clock_now):
    from registry.seal.demo import create_demo_pki

    create_demo_pki(private_root / "pki", now=clock_now)  # the service's certificate and seal, as files
    settings.CERTIFICATE_SIGNER = "remote"
    settings.CERTIFICATE_SIGNER_URL = "http://127.0.0.1:9/sign"  # nothing listens there
    settings.CERTIFICATE_SIGNER_TOKEN = "t" * 32
    settings.CERTIFICATE_SIGNER_CERT_FILE = str(private_root / "pki" / "signer.pem")
    settings.CERTIFICATE_SEAL_FILE = str(private_root / "pki" / "seal.esl")
    response = Client().get("/readyz")
    assert response.status_code == 503 and response.json()["checks"]["signer"] == "fail"


class _Queue(BaseTaskBackend):
    supports_get_result = True

    def __init__(self, reachable: bool):
        super().__init__("default", {"OPTIONS": {}})
        self.reachable = reachable

    def enqueue(self, task, args, kwargs):
        raise NotImplementedError

    def get_result(self, result_id):
        if not self.reachable:
            raise ConnectionError("queue at 10.0.0.9:6379 refused")
        raise TaskResultDoesNotExist(result_id)


@pytest.fixture
def queue():
    """Put an outside queue in place of the configured task backend, and back after the test."""
    configured = task_backends["default"]

    def install(reachable: bool) -> None:
        task_backends["default"] = _Queue(reachable)

    yield install
    task_backends["default"] = configured


@pytest.mark.parametrize("reachable, verdict", [(True, "ok"), (False, "fail")])
def test_readyz_asks_an_outside_queue_for_a_result(private_root, queue, reachable, verdict):
    queue(reachable)
    response = Client().get("/readyz")
    assert response.json()["checks"]["task_queue"] == verdict
    assert "10.0.0.9" not in response.content.decode()


def explode():
    raise RuntimeError("password=hunter2-secret at db.internal")


def test_a_failed_check_is_named_but_its_message_stays_in_the_log(private_root, settings, caplog):
    settings.READINESS_CHECKS = ["registry.ops.tests.test_health.explode"]
    response = Client().get("/readyz")
    assert response.status_code == 503 and response.json() == {"status": "fail", "checks": {"explode": "fail"}}
    assert "hunter2" not in response.content.decode()
    assert any("hunter2" in record.getMessage() for record in caplog.records)  # the operator sees why


def test_readyz_is_red_when_postgresql_is_unreachable():
    # A closed port on loopback: the shared server stays up for everyone else.
    url = "postgres://registry:s3cret-pw-9@127.0.0.1:9/registry?connect_timeout=2&conn_max_age=0"
    result = run_python(READYZ, {**PRODUCTION, "DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().splitlines()
    assert status == "503"
    checks = json.loads(body)["checks"]
    assert checks["database"] == "fail" and checks["migrations"] == "fail"
    for secret in ("s3cret-pw-9", PRODUCTION["SECRET_KEY"], "127.0.0.1", ":9"):
        assert secret not in body


def test_readyz_is_green_on_a_reachable_postgresql(tmp_path):
    url = postgres_url_of_test_database()
    if url is None:
        pytest.skip("this pass runs on SQLite; the PostgreSQL passes run this test")
    # Production signs through the authority's signing service: a local stand-in of it, with its
    # certificate and seal installed as files, as an operator installs them.
    from registry.seal import create_demo_pki
    from registry.seal.crypto import load_private_key_pem
    from registry.seal.tests.signing_service import SigningService

    create_demo_pki(tmp_path / "seal")
    key = load_private_key_pem((tmp_path / "seal" / "signer.key.pem").read_bytes())
    with SigningService(key, "probe-token-" + "x" * 20) as service:
        env = {**PRODUCTION, "DATABASE_URL": url, "PRIVATE_STORAGE_ROOT": str(tmp_path / "private"),
               "STATIC_ROOT": str(tmp_path / "static"), "CERTIFICATE_SIGNER_URL": service.url,
               "CERTIFICATE_SIGNER_TOKEN": service.token,
               "CERTIFICATE_SIGNER_CERT_FILE": str(tmp_path / "seal" / "signer.pem"),
               "CERTIFICATE_SEAL_FILE": str(tmp_path / "seal" / "seal.esl")}
        result = run_python(READYZ, env)
    assert result.returncode == 0, result.stderr
    status, body = result.stdout.strip().splitlines()
    assert status == "200", body
    assert json.loads(body)["status"] == "ok"
