"""Structured logs: a request id on every record, JSON lines in production, readable text in the demo.

The request id comes from the proxy's ``X-Request-ID`` (when it looks like one) or is generated, is held
in a context variable for the length of the request, is stamped on every log record made meanwhile (by a
record factory, so every handler and every library's logger sees it) and is returned in the response.
Log lines carry ids and codes, never personal data: SQL with its parameters is never logged.
"""

from __future__ import annotations

import contextvars
import logging
import re
import time
import uuid

REQUEST_ID_HEADER = "X-Request-ID"
_REQUEST_ID_META = "HTTP_X_REQUEST_ID"
NO_REQUEST = "-"
_ACCEPTED_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")
_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default=NO_REQUEST)
_installed = False

access_log = logging.getLogger("registry.request")


def current_request_id() -> str:
    """Return the id of the request being served, or "-" outside a request."""
    return _request_id.get()


def install_request_id_factory() -> None:
    """Make every log record carry ``request_id`` (idempotent)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args, **kwargs):
        record = previous(*args, **kwargs)
        record.request_id = _request_id.get()
        return record

    logging.setLogRecordFactory(factory)
    _installed = True


def lean_records(*, keep_caller: bool) -> None:
    """Stop every log record gathering what no format of ours prints (the logging HOWTO's "Optimization").

    The formats (``logging_config``) print the time, level, logger, request id and message, never the
    thread, the process or the asyncio task; each record looked them up all the same, and walked the stack
    for the calling function. That was a third of the access line's cost on the QR landing page, the
    busiest page (benchmarks/README.md). ``keep_caller`` leaves the caller's file, line and function
    (error reporting shows them).
    """
    logging.logThreads = logging.logProcesses = logging.logMultiprocessing = False
    logging.logAsyncioTasks = False
    if not keep_caller:
        logging._srcfile = None  # the documented switch for findCaller


class RequestIdFilter(logging.Filter):
    """Give a record a request_id when it was made before the factory was installed (early start-up)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = _request_id.get()
        return True


def incoming_request_id(value: str | None) -> str:
    """Return the proxy's id when it is a plausible token, otherwise a new random one."""
    if value and _ACCEPTED_ID.match(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Carry the request id through the request's log lines and back in the response; log one access line."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        # From META: request.headers would build a dict of every header for this one.
        request_id = incoming_request_id(request.META.get(_REQUEST_ID_META))
        token = _request_id.set(request_id)
        started = time.perf_counter()
        try:
            request.request_id = request_id
            response = self.get_response(request)
            response[REQUEST_ID_HEADER] = request_id
            status = response.status_code
            level = logging.ERROR if status >= 500 else logging.WARNING if status >= 400 else logging.INFO
            # The path only (no query string): pages carry row ids, never personal data.
            access_log.log(level, "%s %s %s %.1fms", request.method, request.path, status,
                           (time.perf_counter() - started) * 1000)
            # Django would log a 4xx/5xx again after this middleware, without the id: this line says it.
            response._has_been_logged = True
            return response
        finally:
            _request_id.reset(token)


def logging_config(*, json_lines: bool, level: str) -> dict:
    """Return the LOGGING dict: one JSON object per line, or text, with the request id on every line."""
    formatter = {
        "()": "pythonjsonlogger.json.JsonFormatter",
        "fmt": "%(levelname)s %(name)s %(request_id)s %(message)s",
        "rename_fields": {"levelname": "level", "name": "logger"},
        "timestamp": "time",  # ISO 8601 in UTC
    } if json_lines else {
        "format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s",
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "registry.ops.logs.RequestIdFilter"}},
        "formatters": {"main": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "main", "filters": ["request_id"]}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # SQL is logged with its parameters (ID numbers, names): never, whatever LOG_LEVEL says.
            "django.db.backends": {"level": "INFO"},
            # Django's request log: refusals (CSRF, 404) and errors with their tracebacks.
            "django.request": {"level": "WARNING"},
            "django.server": {"level": "WARNING"},
            # pikepdf announces its logger bridge at INFO on import.
            "pikepdf": {"level": "WARNING"},
        },
    }
