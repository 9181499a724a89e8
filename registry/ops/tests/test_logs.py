"""Logs: a request id on every line of a request (from the proxy or made up), JSON in production, text in
the demo, and never personal data, even at DEBUG through a whole journey."""

from __future__ import annotations

import json
import logging

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from registry.applications.materials import required_materials
from registry.applications.models import Application, ApplicationStatus, MaterialKind
from registry.applications.services import accept_application
from registry.applications.tests.conftest import PDF_BYTES, at, face, png_bytes
from registry.ops.logs import REQUEST_ID_HEADER, lean_records, logging_config
from registry.ops.tests.helpers import PRODUCTION, run_python

pytestmark = pytest.mark.django_db


def records_of(caplog, request_id: str) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.request_id == request_id]


def test_the_proxys_request_id_is_carried_and_returned(caplog):
    caplog.set_level(logging.INFO)
    response = Client().get("/healthz", headers={"X-Request-ID": "f3a1c2d4e5b6-proxy"})
    assert response[REQUEST_ID_HEADER] == "f3a1c2d4e5b6-proxy"
    (line,) = records_of(caplog, "f3a1c2d4e5b6-proxy")
    assert line.name == "registry.request" and line.getMessage().startswith("GET /healthz 200 ")


@pytest.mark.parametrize("given", [None, "short", "has spaces in it", "x" * 129, "evil\r\nSet-Cookie: a=b"])
def test_a_missing_or_implausible_request_id_is_replaced_by_a_new_one(given):
    headers = {"X-Request-ID": given} if given else {}
    first = Client().get("/healthz", headers=headers)[REQUEST_ID_HEADER]
    second = Client().get("/healthz", headers=headers)[REQUEST_ID_HEADER]
    assert first != given and len(first) == 32 and first != second


def test_every_line_of_a_request_carries_its_id_including_errors(settings, caplog):
    settings.READINESS_CHECKS = ["registry.ops.tests.test_health.explode"]
    caplog.set_level(logging.INFO)
    response = Client().get("/readyz", headers={"X-Request-ID": "req-0000000042"})
    assert response.status_code == 503
    lines = records_of(caplog, "req-0000000042")
    assert {record.name for record in lines} == {"registry.ops.health", "registry.request"}
    # Django's own "Service Unavailable" line would come after the request without the id: it is not repeated.
    assert [record for record in caplog.records if record.name == "django.request"] == []
    assert [record.levelname for record in lines if record.name == "registry.request"] == ["ERROR"]


def test_outside_a_request_the_id_is_a_dash(caplog):
    caplog.set_level(logging.INFO)
    logging.getLogger("registry.test").info("between requests")
    assert caplog.records[-1].request_id == "-"


def formatted(json_lines: bool, record: logging.LogRecord) -> str:
    config = logging_config(json_lines=json_lines, level="INFO")["formatters"]["main"]
    if json_lines:
        from pythonjsonlogger.json import JsonFormatter

        formatter = JsonFormatter(config["fmt"], rename_fields=config["rename_fields"], timestamp=config["timestamp"])
    else:
        formatter = logging.Formatter(config["format"])
    return formatter.format(record)


def test_json_lines_hold_time_level_logger_request_id_and_message():
    record = logging.LogRecord("registry.x", logging.WARNING, __file__, 1, "a %s line\nwith a break", ("plain",), None)
    record.request_id = "req-1234567890"
    line = formatted(True, record)
    assert "\n" not in line
    data = json.loads(line)
    assert (data["level"], data["logger"], data["request_id"], data["message"]) == (
        "WARNING", "registry.x", "req-1234567890", "a plain line\nwith a break")
    assert data["time"].endswith("+00:00")
    assert "[req-1234567890]" in formatted(False, record)


@pytest.mark.parametrize("env, expected", [
    ({}, "text"),                                   # the demo
    (PRODUCTION, "json"),                           # production
    ({**PRODUCTION, "LOG_FORMAT": "text"}, "text"),  # chosen
    ({"LOG_FORMAT": "json"}, "json"),
])
def test_json_in_production_text_in_the_demo(env, expected):
    code = ("from django.conf import settings; f = settings.LOGGING['formatters']['main']\n"
            "print('json' if 'JsonFormatter' in f.get('()', '') else 'text')")
    result = run_python(code, env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == expected


def test_an_unknown_log_format_is_refused():
    result = run_python("", {"LOG_FORMAT": "xml"})
    assert result.returncode != 0 and "LOG_FORMAT" in result.stderr


@pytest.fixture
def record_switches():
    """The logging module's switches, restored after the test (lean_records sets them for the process)."""
    names = ("logThreads", "logProcesses", "logMultiprocessing", "logAsyncioTasks", "_srcfile")
    saved = {name: getattr(logging, name) for name in names}
    yield
    for name, value in saved.items():
        setattr(logging, name, value)


def _a_line(caplog) -> logging.LogRecord:
    caplog.set_level(logging.INFO)
    logging.getLogger("registry.test").info("a line")
    return caplog.records[-1]


def test_records_gather_only_what_the_formats_print(record_switches, caplog):
    lean_records(keep_caller=False)
    record = _a_line(caplog)
    assert (record.threadName, record.processName, record.taskName) == (None, None, None)
    assert (record.funcName, record.lineno) == ("(unknown function)", 0)
    data = json.loads(formatted(True, record))  # the JSON line is whole all the same
    assert (data["level"], data["logger"], data["message"]) == ("INFO", "registry.test", "a line")


def test_error_reporting_keeps_the_caller(record_switches, caplog):
    lean_records(keep_caller=True)
    record = _a_line(caplog)
    assert record.funcName == "_a_line" and record.lineno > 0 and record.threadName is None


def test_production_settings_make_lean_records():
    code = ("import logging; from django.conf import settings; settings.LOGGING\n"
            "print(logging.logThreads, logging._srcfile)")
    result = run_python(code, PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "None"]


def _upload_everything(client: Client, application: Application) -> None:
    for kind in required_materials(application.type, application.change_kind):
        data = png_bytes() if kind in {MaterialKind.PHOTO, MaterialKind.SIGNATURE} else PDF_BYTES
        name = f"{kind}.png" if data != PDF_BYTES else f"{kind}.pdf"
        response = client.post(reverse("applications:upload", args=[application.pk]),
                               {"kind": kind, "file": SimpleUploadedFile(name, data)})
        assert response.status_code == 302


def test_a_whole_journey_logs_no_personal_data(world, time_machine, caplog, settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    now = at(2026, 11, 2)
    time_machine.move_to(now, tick=True)
    person = world.applicant.person
    person.mobile = "13912345678"
    person.save()
    caplog.set_level(logging.DEBUG)
    # SQL with its parameters is what would carry ID numbers and names into a log: make Django emit it.
    connection.force_debug_cursor = True
    try:
        applicant = Client()
        applicant.force_login(world.applicant)
        response = applicant.post(reverse("applications:new"), {
            "application_type": "initial", "employer_credit_code": world.enterprise_a.credit_code,
            "specialties": ["10401001"]})
        application = Application.objects.get()
        assert response.status_code == 302
        _upload_everything(applicant, application)
        face(world.applicant, now)
        applicant.post(reverse("applications:submit", args=[application.pk]))
        application.refresh_from_db()
        assert application.status == ApplicationStatus.AWAITING_EMPLOYER
        employer = Client()
        employer.force_login(world.operator_a)
        employer.get(reverse("applications:employer_pending"))
        employer.post(reverse("applications:confirm", args=[application.pk]))
        application.refresh_from_db()
        assert application.status == ApplicationStatus.PENDING_ACCEPTANCE
        accept_application(application=application, now=now.replace(year=now.year + 1))
        reviewer = Client()
        reviewer.force_login(world.reviewer)
        reviewer.get(reverse("applications:queue"))
        reviewer.get(reverse("applications:detail", args=[application.pk]))
        reviewer.get(reverse("people:person_detail", args=[application.person_id]))
        reviewer.post(reverse("applications:approve", args=[application.pk]))
        application.refresh_from_db()
        assert application.status == ApplicationStatus.APPROVED
        applicant.get(reverse("applications:detail", args=[application.pk]))
    finally:
        connection.force_debug_cursor = False
    lines = [record.getMessage() for record in caplog.records]
    lines += [formatted(True, record) for record in caplog.records]
    assert len([r for r in caplog.records if r.name == "registry.request"]) >= 10  # the journey was logged
    personal = [person.id_number, person.name, person.mobile, world.registered.person.id_number,
                world.registered.person.name, world.outsider.person.id_number]
    leaks = [(value, line) for line in lines for value in personal if value in line]
    assert leaks == []
