"""Fill a fresh database with many applications and time the reviewer queue and the progress pages.

Usage (from the repository root):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python benchmarks/spine_bench.py
    .venv/bin/python benchmarks/spine_bench.py --applications 100000        # SQLite file
It creates a throw-away test database (test_<name>), fills it, measures, and drops it.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "registry.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        fill(args.applications)
        report(args.applications, args.repeat)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def fill(count: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from registry.applications.models import Application, ApplicationTransition
    from registry.people.models import Enterprise, EnterpriseAuthState, Person

    rng = random.Random(7)
    started = time.perf_counter()
    employers = Enterprise.objects.bulk_create([
        Enterprise(credit_code=f"91500103MA{i:07d}X", name=f"重庆第{i}建设工程有限公司", district="500103",
                   auth_state=EnterpriseAuthState.AUTHENTICATED) for i in range(200)
    ])
    statuses = (["under_review"] * 3 + ["approved"] * 4 + ["refused", "not_accepted", "awaiting_employer",
                                                           "pending_acceptance", "supplement"])
    now = timezone.now()
    batch = 5000
    for start in range(0, count, batch):
        with transaction.atomic():
            people = Person.objects.bulk_create([
                Person(name=f"申请人{i}", id_number=f"P{i:017d}", sex="M", birth_date=date(1980, 1, 1))
                for i in range(start, min(start + batch, count))
            ])
            applications = []
            for person in people:
                status = rng.choice(statuses)
                applications.append(Application(
                    reference=f"SQ2026{person.pk:08d}", type=rng.choice(["initial", "renewal", "change"]),
                    person=person, employer=rng.choice(employers), specialties=["10401001"], status=status,
                    due_on=date(2026, 11, 1) + timedelta(days=rng.randrange(60)) if status in {"under_review", "approved"} else None,
                    accept_on=date(2026, 10, 20), created_at=now,
                ))
            applications = Application.objects.bulk_create(applications)
            transitions = []
            for application in applications:
                for action, to_status in (("create", "draft"), ("submit", "awaiting_employer"),
                                          ("confirm", "pending_acceptance"), ("compared", "pending_acceptance"),
                                          ("accept", "under_review")):
                    transitions.append(ApplicationTransition(application=application, at=now, action=action,
                                                             to_status=to_status))
            ApplicationTransition.objects.bulk_create(transitions)
    print(f"filled {count} applications (+{count * 5} transitions) in {time.perf_counter() - started:.1f} s")


def timed(client, url: str, repeat: int) -> tuple[float, float]:
    client.get(url)  # warm caches (calendar, templates)
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def report(count: int, repeat: int) -> None:
    from django.db import connection
    from django.test import Client

    from registry.applications.models import Application
    from registry.people.models import Person, Role, User

    reviewer = User.objects.create_user(username="bench-reviewer", password=None, role=Role.REVIEWER)
    person = Person.objects.order_by("pk")[count // 2]
    applicant = User.objects.create_user(username="bench-applicant", password=None, role=Role.APPLICANT)
    person.user = applicant
    person.save(update_fields=["user"])
    application = Application.objects.get(person=person)

    reviewer_client, applicant_client = Client(), Client()
    reviewer_client.force_login(reviewer)
    applicant_client.force_login(applicant)
    rows = [
        ("reviewer queue, first page (50 rows by deadline)", reviewer_client, "/applications/review/"),
        ("reviewer queue, page 500", reviewer_client, "/applications/review/?page=500"),
        ("applicant: my applications", applicant_client, "/applications/"),
        ("applicant: progress page of one application", applicant_client, f"/applications/{application.pk}/"),
    ]
    print(f"database: {connection.vendor}, {count} applications, {repeat} requests each")
    print("| page | median ms | p95 ms |")
    print("|---|---|---|")
    for label, client, url in rows:
        median, p95 = timed(client, url, repeat)
        print(f"| {label} | {median:.1f} | {p95:.1f} |")


if __name__ == "__main__":
    main()
