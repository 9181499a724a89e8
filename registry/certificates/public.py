"""Public verification of a certificate by the link its QR code carries: the live answer, public data only.

The link is ``{CERTIFICATE_VERIFY_BASE_URL}/{public id}?c={check}``. The check value is tested before
anything is looked up, so a typed or guessed identifier learns nothing about which certificates exist:
a malformed link, a wrong check value and (only with a correct one) an unknown certificate each get
their own answer. The status is read in the request, so a cancellation shows on the next scan.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    InterfaceError,
    OperationalError,
    connection,
    connections,
)
from django.db.backends.utils import CursorDebugWrapper, CursorWrapper

from registry.certificates.models import Certificate, CertificateStatus
from registry.certificates.outcomes import Answer, Outcome, answer
from registry.certificates.verification import verification_url, verify_check_value
from registry.clock import LOCAL_ZONE
from registry.masking import PUBLIC_NAME

# What new_public_id makes (base32), and the older demo id of sample_certificate: 16 capitals or digits.
PUBLIC_ID = re.compile(r"[A-Z0-9]{16}")
_BY_STATUS = {
    CertificateStatus.VALID: Outcome.VALID,
    CertificateStatus.SUPERSEDED: Outcome.SUPERSEDED,
    CertificateStatus.CANCELLED: Outcome.CANCELLED,
    CertificateStatus.EXPIRED: Outcome.EXPIRED,
    CertificateStatus.REVOKED: Outcome.REVOKED,
}


@dataclass(frozen=True)
class PublicView:
    """What anyone may see of a certificate: no ID number, no birth date, the name masked."""

    name: str
    registration_number: str
    employer_name: str
    issue_date: date
    specialties: list[dict]
    serial: str
    version: int

    def page(self) -> dict:
        """The view as the pages print it: text only, dates in Chinese (registry.stencil renders it)."""
        return {"name": self.name, "registration_number": self.registration_number,
                "employer_name": self.employer_name, "issue_date": _chinese(self.issue_date),
                "specialties": [{"name": s["name"], "valid_from": _chinese(s["valid_from"]),
                                 "valid_to": _chinese(s["valid_to"])} for s in self.specialties],
                # The version as text too: printed, never compared, so every version is one shape of the page.
                "serial": self.serial, "version": str(self.version)}


def _chinese(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


# The columns the landing page's answer and public view use; any other is loaded on access.
_LANDING_FIELDS = frozenset({"id", "public_id", "status", "status_changed_at", "valid_until", "name",
                             "registration_number", "employer_name", "issue_date", "specialties", "serial",
                             "version"})


@functools.cache
def _landing_read(vendor: str) -> tuple[str, list[str], list[tuple]]:
    """The landing page's one read: its SQL, the attribute names it loads, and their database converters.

    Written out rather than built by the ORM for each scan: the QR page is the system's busiest page, and
    compiling ``select_related("superseded_by").get(public_id=…)`` took over a millisecond of a request's
    CPU, and ``raw()`` (which still resolves its columns and the model's init order on every call) half as
    much again as the query itself (benchmarks/README.md). The columns are in the model's field order,
    which ``Model.from_db`` takes; the converters are the ones the ORM would apply (the JSON field's, and
    SQLite's for dates).
    """
    quote, table = connection.ops.quote_name, connection.ops.quote_name(Certificate._meta.db_table)
    fields = [f for f in Certificate._meta.concrete_fields if f.name in _LANDING_FIELDS]
    columns = ", ".join(f"c.{quote(f.column)}" for f in fields)
    supersedes = quote(Certificate._meta.get_field("supersedes").column)
    sql = (f"SELECT {columns}, s.{quote('public_id')} "  # noqa: S608 (our own table and columns)
           f"FROM {table} c LEFT JOIN {table} s ON s.{supersedes} = c.id WHERE c.public_id = %s")
    converters = []
    for index, field in enumerate(fields):
        column = field.get_col(Certificate._meta.db_table)
        functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
        if functions:
            converters.append((index, functions, column))
    return sql, [f.attname for f in fields], converters


def _fetch_landing(db, sql: str, public_id: str):
    with _landing_cursor(db) as cursor:
        cursor.execute(sql, [public_id])
        return cursor.fetchone()


def _landing_cursor(db):
    """Return a cursor for the landing read: on PostgreSQL one that runs it as a prepared statement.

    The ORM binds parameters on the client, so PostgreSQL parses and plans every statement anew; for this
    one, the same on every scan, planning cost PostgreSQL three times what executing the prepared statement
    does. psycopg's own server-side binding cursor prepares it on a connection's first use and keeps it
    (``prepare_threshold`` 0, registry.env; the ORM's client-side cursors never prepare). It is wrapped in
    Django's cursor wrapper (errors, execute wrappers and the debug log as for any query), without
    ``connection.cursor()``'s health check: its SELECT 1 was a second round trip on every scan, and
    ``_read_landing`` tries again on a new connection when the old one turns out broken instead.
    """
    if db.vendor != "postgresql":
        return db.cursor()
    import psycopg

    db.ensure_connection()
    wrapper = CursorDebugWrapper if db.queries_logged else CursorWrapper
    return wrapper(psycopg.Cursor(db.connection), db)


def _read_landing(public_id: str) -> Certificate | None:
    """Return the certificate of a public id with the landing page's columns and its successor's public id."""
    # The connection itself, not django.db.connection: each attribute of that proxy is a thread-local lookup.
    db = connections[DEFAULT_DB_ALIAS]
    sql, names, converters = _landing_read(db.vendor)
    try:
        row = _fetch_landing(db, sql, public_id)
    except (OperationalError, InterfaceError):
        if db.in_atomic_block or db.is_usable():
            raise
        db.close()  # lost since the last request (a database restart): once more, on a new connection
        row = _fetch_landing(db, sql, public_id)
    if row is None:
        return None
    values = list(row[:-1])
    for index, functions, column in converters:
        for convert in functions:
            values[index] = convert(values[index], column, db)
    certificate = Certificate.from_db(db.alias, names, values)
    certificate.successor_public_id = row[-1]
    return certificate


def _successor_public_id(certificate: Certificate) -> str | None:
    """The public id of the certificate that superseded this one: read by the landing query, else its row."""
    if hasattr(certificate, "successor_public_id"):
        return certificate.successor_public_id
    successor = getattr(certificate, "superseded_by", None)  # a missing reverse one-to-one is an AttributeError
    return successor.public_id if successor is not None else None


def link_of(certificate: Certificate) -> str:
    """Return the verification link of a certificate (the one its QR code carries)."""
    return _link_for(certificate.public_id)


def _link_for(public_id: str) -> str:
    return verification_url(settings.CERTIFICATE_VERIFY_BASE_URL, public_id, settings.CERTIFICATE_VERIFICATION_KEY)


def resolve_link(public_id: str, check: str, *, now: datetime) -> tuple[Answer, Certificate | None]:
    """Return the live answer for a verification link and the certificate it names, when known."""
    if not PUBLIC_ID.fullmatch(public_id or "") or not re.fullmatch(r"[A-Za-z2-7]{1,16}", check or ""):
        return answer(Outcome.MALFORMED_LINK, as_of=now), None
    if not verify_check_value(public_id, check, settings.CERTIFICATE_VERIFICATION_KEY):
        return answer(Outcome.CHECK_FAILED, as_of=now), None
    try:
        certificate = _read_landing(public_id)
    except DatabaseError:
        return answer(Outcome.STATUS_UNAVAILABLE, as_of=now), None
    if certificate is None:
        return answer(Outcome.UNKNOWN_CERTIFICATE, as_of=now), None
    return status_answer(certificate, now=now), certificate


def status_answer(certificate: Certificate, *, now: datetime) -> Answer:
    """Return the answer for a certificate's live status (an ended validity counts before the sweep)."""
    outcome = _BY_STATUS[CertificateStatus(certificate.status)]
    today = now.astimezone(LOCAL_ZONE).date()
    if outcome is Outcome.VALID and certificate.valid_until < today:
        outcome = Outcome.EXPIRED
    if outcome is Outcome.SUPERSEDED:
        details = {"superseded_on": _chinese(certificate.status_changed_at.astimezone(LOCAL_ZONE).date())}
        successor = _successor_public_id(certificate)
        if successor:
            details["successor"] = _link_for(successor)
        return answer(outcome, as_of=now, **details)
    return answer(outcome, as_of=now)


def public_view(certificate: Certificate) -> PublicView:
    """Return the certificate's public data, masked by the public policies."""
    return PublicView(
        name=PUBLIC_NAME.apply(certificate.name),
        registration_number=certificate.registration_number,
        employer_name=certificate.employer_name,
        issue_date=certificate.issue_date,
        specialties=[{"name": s["name"], "valid_from": date.fromisoformat(s["valid_from"]),
                      "valid_to": date.fromisoformat(s["valid_to"])} for s in certificate.specialties],
        serial=certificate.serial,
        version=certificate.version,
    )


def search_registry(registration_number: str, name: str) -> Certificate | None:
    """Return the latest certificate of a registration number, only when the holder's name matches exactly.

    A wrong name and an unknown number give the same answer (None): the lookup never tells which
    registration numbers exist, and never lists or matches partially.
    """
    return (Certificate.objects.filter(registration_number=registration_number, name=name.strip())
            .order_by("-issued_at", "-pk").first())
