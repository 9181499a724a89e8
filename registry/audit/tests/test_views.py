"""The audit log: what one line records, search and export for administrators, nothing for others."""

from __future__ import annotations

from datetime import timedelta

from registry.audit.log import log_action
from registry.audit.models import AuditEvent
from registry.people.models import User
from registry.testing import signed_in


def test_a_line_carries_the_services_time_and_address_and_masks_personal_numbers(db, clock_now):
    at = clock_now - timedelta(days=3)
    event = log_action("people.test.event", now=at, ip="10.0.0.7",
                       details={"id_number": "500103199001011234", "password": "x", "nested": {"token": "t"}})
    event.refresh_from_db()
    assert event.at == at and event.ip_address == "10.0.0.7"
    assert event.details == {"id_number": "500*************34", "password": "***", "nested": {"token": "***"}}


def test_administrators_search_and_export_the_audit_log(client, personas):
    client.post("/login/", {"username": "zhang", "password": "wrong"})
    signed_in(client, personas.admin)
    page = client.get("/audit/", {"action": "people.signin.failed"})
    assert "people.signin.failed" in page.content.decode()
    export = client.get("/audit/export.csv", {"action": "people.signin"})
    body = b"".join(export.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff") and "people.signin.failed" in body
    assert AuditEvent.objects.filter(action="people.audit.exported", actor=personas.admin).exists()


def test_the_export_does_not_let_a_spreadsheet_run_formulas(client, personas):
    attacker = User.objects.create_user(username="=SUM(1+1)", password=None)
    log_action("people.test.event", actor=attacker, details={"note": "@cmd"})
    signed_in(client, personas.admin)
    export = client.get("/audit/export.csv", {"action": "people.test"})
    body = b"".join(export.streaming_content).decode("utf-8")
    assert ",'=SUM(1+1)," in body  # quoted: read as text, never run as a formula
    assert ",=" not in body and "\n=" not in body
    assert '""note"": ""@cmd""' in body  # details are JSON inside one cell


def test_others_cannot_read_the_audit_log(client, personas):
    signed_in(client, personas.reviewer)
    assert client.get("/audit/").status_code == 404
    assert client.get("/audit/export.csv").status_code == 404


