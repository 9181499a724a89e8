"""Time the whole path from a reviewer's approval to the stored, sealed certificate, per approval.

Usage (from the repository root):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python benchmarks/issue_bench.py --count 300
It creates a throw-away test database (test_<name>), a demo seal key and a certificate folder in a
temporary directory, makes COUNT applications under review (each with its photo and signature uploads),
then approves them one by one through ``approve_application`` (one transaction each: the application's
compare-and-set, the registration, the signal, build + seal, the file written to storage, the
certificate rows, the logs, the commit). It then times ``build_certificate`` alone on the same data, and COUNT more approvals with the
certificate receiver disconnected (the workflow's own share).
Wall-clock times; median and p99 per approval, and the ratio of the medians; also this process's
CPU time (the database server's work is not in it).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="issue-bench-"))
    import django
    from django.conf import settings

    django.setup()
    from django.db import connection
    from django.test.utils import override_settings, setup_test_environment

    from registry import clock
    from registry.seal import create_demo_pki

    setup_test_environment()
    create_demo_pki(work / "seal", now=clock.now())
    storages = {**settings.STORAGES, "certificates": {
        "BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(work / "certs")}}}
    old_name = connection.settings_dict["NAME"]
    with override_settings(SEAL_KEY_DIR=work / "seal", CERTIFICATE_SIGNER="demo", STORAGES=storages,
                           PRIVATE_STORAGE_ROOT=work / "private"):
        connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            applications = fill(args.count * 2)
            result = measure(applications[:args.count])
            result.update(baseline(applications[args.count:]))
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    result.update(count=args.count, database=connection.vendor)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    print(f"{args.count} approvals on {connection.vendor}")
    for key in ("approval_median_ms", "approval_p99_ms", "build_seal_median_ms", "build_seal_p99_ms",
                "approval_cpu_median_ms", "build_seal_cpu_median_ms", "approval_without_certificate_median_ms",
                "approval_without_certificate_cpu_median_ms"):
        print(f"  {key:42} {result[key]:8.1f}")
    print(f"  ratio approval / build+seal (medians) {result['ratio']:.2f}")


# Given-name characters: every holder's name differs, so each certificate embeds a font subset of its own.
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文"


def fill(count: int) -> list[int]:
    """Create COUNT persons, each with an initial application under review and its image uploads."""
    from django.db import transaction
    from registry.applications.uploads import clean_upload, store_private

    from registry.applications.models import Application, ApplicationStatus, Material, MaterialKind, Specialty
    from registry.certificates.demo import demo_photo, demo_signature
    from registry.identifiers import resident_id_check_char
    from registry.people.models import Enterprise, EnterpriseAuthState, Person

    photo = clean_upload(demo_photo(), images_only=True)
    signature = clean_upload(demo_signature(), images_only=True)
    with transaction.atomic():
        employer = Enterprise.objects.create(credit_code="91500103MA60001X1L", name="重庆山城建设工程有限公司",
                                             district="500103", auth_state=EnterpriseAuthState.AUTHENTICATED)
        ids = []
        for index in range(count):
            first17 = f"500103{date(1980, 1, 1) + timedelta(days=index):%Y%m%d}{index % 1000:03d}"
            person = Person.objects.create(name="张" + GIVEN[index % len(GIVEN)] + GIVEN[index // len(GIVEN) % len(GIVEN)],
                                           id_number=first17 + resident_id_check_char(first17),
                                           sex="M", birth_date=date(1980, 1, 1) + timedelta(days=index))
            application = Application.objects.create(
                reference=f"BENCH{index:08d}", type="initial", person=person, employer=employer,
                specialties=[Specialty.BUILDING], status=ApplicationStatus.UNDER_REVIEW)
            for kind, clean in ((MaterialKind.PHOTO, photo), (MaterialKind.SIGNATURE, signature)):
                Material.objects.create(application=application, kind=kind, storage_name=store_private(clean, "b"),
                                        original_name="x", content_type=clean.content_type,
                                        size=len(clean.content), sha256=clean.sha256)
            ids.append(application.pk)
    return ids


def measure(ids: list[int]) -> dict:
    """Approve every application (timed), then time build + seal alone on the certificates' data."""
    from dataclasses import replace

    from registry import clock
    from registry.applications import services
    from registry.applications.models import Application
    from registry.certificates.document import build_certificate
    from registry.certificates.models import Certificate
    from registry.certificates.sealing import get_layout, get_sealing
    from registry.certificates.services import _certificate_data, _specialties_of, images_for
    from registry.people.models import Role, User

    reviewer = User.objects.create_user(username="reviewer", password=None, role=Role.REVIEWER)
    now = clock.now()
    approvals, approvals_cpu = [], []
    for pk in ids:
        application = Application.objects.get(pk=pk)
        started, started_cpu = time.perf_counter(), time.process_time()
        services.approve_application(actor=reviewer, application=application, now=now)
        approvals.append(time.perf_counter() - started)
        approvals_cpu.append(time.process_time() - started_cpu)
    assert Certificate.objects.count() == len(ids)

    sealing, layout = get_sealing(), get_layout()
    builds, builds_cpu = [], []
    for certificate in Certificate.objects.select_related("registration", "person").order_by("pk"):
        registration = certificate.registration
        data = _certificate_data(certificate.person, registration, _specialties_of(registration, certificate.issue_date),
                                 certificate.issue_date, images_for(certificate.person), certificate.public_id,
                                 certificate.version)
        # Another surname: the same work as at approval, without the font subsets the approvals cached.
        data = replace(data, licence_identifier=certificate.licence_identifier, name="李" + data.name[1:])
        started, started_cpu = time.perf_counter(), time.process_time()
        build_certificate(data, layout=layout, signer=sealing.signer, seal=sealing.seal,
                          sign_time=clock.now().replace(microsecond=0))
        builds.append(time.perf_counter() - started)
        builds_cpu.append(time.process_time() - started_cpu)
    # Drop the first of each (cold caches: fonts parsed, key loaded).
    approvals, builds, approvals_cpu, builds_cpu = approvals[1:], builds[1:], approvals_cpu[1:], builds_cpu[1:]
    return {
        "approval_median_ms": statistics.median(approvals) * 1000,
        "approval_p99_ms": percentile(approvals, 0.99) * 1000,
        "build_seal_median_ms": statistics.median(builds) * 1000,
        "build_seal_p99_ms": percentile(builds, 0.99) * 1000,
        "ratio": statistics.median(approvals) / statistics.median(builds),
        # CPU seconds of this process only (the database server's work is not in them).
        "approval_cpu_median_ms": statistics.median(approvals_cpu) * 1000,
        "build_seal_cpu_median_ms": statistics.median(builds_cpu) * 1000,
    }


def baseline(ids: list[int]) -> dict:
    """Approve more applications with the certificate receiver disconnected: the workflow's own share."""
    from registry import clock
    from registry.applications import services
    from registry.applications.models import Application
    from registry.applications.signals import registration_changed
    from registry.certificates import receivers
    from registry.people.models import User

    reviewer = User.objects.get(username="reviewer")
    uid = "certificates.registration_changed"
    registration_changed.disconnect(dispatch_uid=uid)
    walls, cpus = [], []
    try:
        for pk in ids:
            application = Application.objects.get(pk=pk)
            started, started_cpu = time.perf_counter(), time.process_time()
            services.approve_application(actor=reviewer, application=application, now=clock.now())
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - started_cpu)
    finally:
        registration_changed.connect(receivers.registration_changed_receiver, dispatch_uid=uid)
    return {"approval_without_certificate_median_ms": statistics.median(walls[1:]) * 1000,
            "approval_without_certificate_cpu_median_ms": statistics.median(cpus[1:]) * 1000}


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


if __name__ == "__main__":
    main()
