"""The administrators' pages of the audit log: search and CSV export."""

from __future__ import annotations

import csv
import json
from datetime import datetime, time, timedelta

from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from registry import clock
from registry.audit import labels
from registry.audit.forms import AuditFilterForm
from registry.audit.log import client_ip, log_action
from registry.audit.models import AuditEvent
from registry.http import bad_request
from registry.roles import Role, require_role


def _filtered_events(form: AuditFilterForm):
    events = AuditEvent.objects.select_related("actor").order_by("-at")
    if form.is_bound and not form.is_valid():
        return events.none()
    if form.is_valid():
        data = form.cleaned_data
        if data["action"]:
            events = events.filter(action__startswith=data["action"].strip())
        if data["actor"]:
            events = events.filter(actor__username=data["actor"].strip())
        if data["ip"]:
            events = events.filter(ip_address=data["ip"])
        tz = timezone.get_current_timezone()
        if data["date_from"]:
            events = events.filter(at__gte=datetime.combine(data["date_from"], time.min, tz))
        if data["date_to"]:
            events = events.filter(at__lt=datetime.combine(data["date_to"] + timedelta(days=1), time.min, tz))
    return events


@never_cache
@require_role(Role.ADMIN)
@require_GET
def audit_log(request):
    """Search the audit log."""
    form = AuditFilterForm(request.GET or None)
    status = 400 if form.is_bound and not form.is_valid() else 200
    page = Paginator(_filtered_events(form), 100).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    values = _value_labels()
    rows = [(e, labels.action_label(e.action), labels.details_text(e.details, values)) for e in page.object_list]
    return render(request, "audit/log.html", {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
                  status=status)


def _value_labels() -> dict[str, str]:
    """The codes that appear as values in the details (statuses, methods), with their labels."""
    from registry.applications.models import ApplicationStatus
    from registry.people.models import AuthMethod

    return {**dict(ApplicationStatus.choices), **dict(AuthMethod.choices), "password": _("账号密码")}


class _Echo:
    def write(self, value):
        return value


def _csv_cell(value: object) -> str:
    """Return a CSV cell a spreadsheet will not run as a formula (text starting with = + - @ is quoted)."""
    text = str(value)
    return "'" + text if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


@never_cache
@require_role(Role.ADMIN)
@require_GET
def audit_export(request):
    """Export the filtered audit log as CSV (UTF-8 with BOM so spreadsheet programs read Chinese)."""
    form = AuditFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():  # before streaming: a bad filter never yields a truncated file
        reasons = "；".join(str(error) for errors in form.errors.values() for error in errors)
        return bad_request(request, _("导出条件无效：%(reasons)s") % {"reasons": reasons})
    events = _filtered_events(form)
    log_action("people.audit.exported", actor=request.user, ip=client_ip(request), now=clock.now(),
               details={"filters": request.GET.dict()})
    writer = csv.writer(_Echo())

    def rows():
        yield "\ufeff"
        yield writer.writerow(["时间", "操作人", "操作", "对象类型", "对象编号", "来源地址", "详情"])
        for event in events.iterator(chunk_size=2000):
            yield writer.writerow([_csv_cell(value) for value in (
                timezone.localtime(event.at).isoformat(), event.actor.username if event.actor else "",
                event.action, event.target_type, event.target_id, event.ip_address or "",
                json.dumps(event.details, ensure_ascii=False),
            )])

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="audit-log.csv"'
    return response
