"""Liveness and readiness: /healthz says the process is up, /readyz that it can serve.

Each readiness check is a function returning nothing (ready) or raising (not ready); the setting
READINESS_CHECKS lists them by dotted path, so another app can add one or replace one (the certificates
app may replace the signer check with one for its production signer). A check's failure is logged with
its reason; the answer names only the check and "ok" or "fail", never a message, host or secret.
"""

from __future__ import annotations

import logging
import secrets
import time
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils.module_loading import import_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from registry.ops.storage import private_storage

logger = logging.getLogger(__name__)

# Task backends that run work in the web process: no queue to reach.
IN_PROCESS_TASK_BACKENDS = {
    "django.tasks.backends.immediate.ImmediateBackend",
    "django.tasks.backends.dummy.DummyBackend",
}


class NotReady(Exception):
    """A readiness check found the service unable to serve."""


def check_database() -> None:
    """The default database answers a query."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


_migrations_applied = False


def check_migrations() -> None:
    """Every migration on disk is applied (remembered once true: migrations only run between deploys)."""
    global _migrations_applied
    if _migrations_applied:
        return
    executor = MigrationExecutor(connections["default"])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        raise NotReady("migrations are not applied (run manage.py migrate)")
    _migrations_applied = True


def check_storage() -> None:
    """The private storage takes a write, gives it back and deletes it."""
    storage = private_storage()
    probe = secrets.token_hex(8).encode()
    name = storage.save(f"readyz/{probe.decode()}.probe", ContentFile(probe))
    try:
        with storage.open(name, "rb") as handle:
            if handle.read() != probe:
                raise NotReady("private storage returned other bytes than written")
    finally:
        storage.delete(name)


def check_signer() -> None:
    """The certificates' configured signer (CERTIFICATE_SIGNER: the demo key or the signing service)
    signs a probe, and the signature verifies against its certificate."""
    from registry.certificates.sealing import get_sealing
    from registry.seal import sm2_verify
    from registry.seal.certs import certificate_public_key

    signer = get_sealing().signer
    probe = secrets.token_bytes(16)
    if not sm2_verify(certificate_public_key(signer.certificate), probe, signer.sign(probe)):
        raise NotReady("the signer's signature does not verify against its certificate")


def check_task_queue() -> None:
    """The task backend answers, when it is a queue outside the web process."""
    from django.tasks import task_backends
    from django.tasks.exceptions import TaskResultDoesNotExist

    backend = task_backends["default"]
    path = f"{type(backend).__module__}.{type(backend).__qualname__}"
    if path in IN_PROCESS_TASK_BACKENDS:
        return
    if not backend.supports_get_result:
        raise NotReady(f"cannot reach the task backend {path}: it cannot look results up")
    try:
        backend.get_result(str(uuid.uuid4()))
    except TaskResultDoesNotExist:
        return  # the queue answered: no such result, as expected


def run_checks() -> dict[str, bool]:
    """Run every check of READINESS_CHECKS; return its short name and whether it passed."""
    results = {}
    for dotted in settings.READINESS_CHECKS:
        name = dotted.rsplit(".", 1)[-1].removeprefix("check_")
        started = time.perf_counter()
        try:
            import_string(dotted)()
            results[name] = True
        except Exception as exc:  # every failure is "not ready"; the reason goes to the log only
            logger.warning("readiness check %s failed after %.0fms: %s: %s", name,
                           (time.perf_counter() - started) * 1000, type(exc).__name__, exc)
            results[name] = False
    return results


@never_cache
@require_GET
def healthz(request):
    """Answer 200 while the process serves requests; touches nothing else."""
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """Answer 200 when every readiness check passes, 503 naming the ones that failed."""
    results = run_checks()
    ready = all(results.values())
    body = {"status": "ok" if ready else "fail",
            "checks": {name: "ok" if passed else "fail" for name, passed in results.items()}}
    return JsonResponse(body, status=200 if ready else 503)
