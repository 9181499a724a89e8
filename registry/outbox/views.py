"""Pages of the outbox: the operators' backlog (administrators) and an enterprise's webhooks (its manager)."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Min
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from registry import clock
from registry.audit.log import client_ip
from registry.outbox import services
from registry.outbox.models import UNDELIVERED, OutboxMessage, Status, Subscription
from registry.people.access import get_enterprise_for
from registry.people.models import EnterpriseOperator, Role
from registry.roles import require_role

FAILURES_SHOWN = 100


@never_cache
@require_role(Role.ADMIN)
@require_GET
def operator_page(request):
    """Show the backlog by status and kind, the oldest undelivered message and the failures."""
    counts = {row["status"]: row["n"] for row in OutboxMessage.objects.values("status").annotate(n=Count("pk"))}
    by_kind = (OutboxMessage.objects.filter(status__in=UNDELIVERED).values("kind", "status")
               .annotate(n=Count("pk")).order_by("kind", "status"))
    oldest = OutboxMessage.objects.filter(status__in=UNDELIVERED).aggregate(at=Min("created_at"))["at"]
    failures = (OutboxMessage.objects.filter(status__in=[Status.FAILED, Status.PARKED])
                .order_by("-updated_at")[:FAILURES_SHOWN])
    return render(request, "outbox/operator.html", {
        "statuses": [(value, label, counts.get(value, 0)) for value, label in Status.choices],
        "by_kind": by_kind, "oldest": oldest, "failures": failures,
    })


@require_role(Role.ADMIN)
@require_POST
def operator_action(request, pk: int):
    """Retry or park one message."""
    message = get_object_or_404(OutboxMessage, pk=pk)
    action = services.retry_message if request.POST.get("action") == "retry" else services.park_message
    try:
        action(actor=request.user, message=message, now=clock.now(), ip=client_ip(request))
    except services.OutboxError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已重试。" if action is services.retry_message else "已搁置。")
    return redirect("outbox:operator")


@never_cache
@require_role(Role.ENTERPRISE)
@require_http_methods(["GET", "POST"])
def enterprise_webhooks(request, pk: int):
    """List the enterprise's webhooks and their deliveries; its manager registers and removes them."""
    enterprise = get_enterprise_for(request.user, pk)
    is_manager = EnterpriseOperator.objects.filter(user=request.user, enterprise=enterprise, is_manager=True).exists()
    new_secret = None
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                subscription = get_object_or_404(Subscription, pk=request.POST.get("subscription") or 0,
                                                 enterprise=enterprise)
                services.remove_subscription(actor=request.user, subscription=subscription, now=clock.now(),
                                             ip=client_ip(request))
                messages.success(request, "已停用该订阅。")
                return redirect("outbox:enterprise_webhooks", pk=enterprise.pk)
            subscription = services.register_subscription(actor=request.user, enterprise=enterprise,
                                                          url=request.POST.get("url", ""), now=clock.now(),
                                                          ip=client_ip(request))
            new_secret = subscription.secret
            messages.success(request, "已登记订阅，请妥善保存签名密钥（仅显示一次）。")
        except services.OutboxError as error:
            messages.error(request, error.message)
    subscriptions = enterprise.subscriptions.order_by("-created_at")
    deliveries = (OutboxMessage.objects.filter(subscription__enterprise=enterprise)
                  .select_related("subscription").order_by("-created_at")[:100])
    return render(request, "outbox/enterprise_webhooks.html", {
        "enterprise": enterprise, "is_manager": is_manager, "subscriptions": subscriptions,
        "deliveries": deliveries, "new_secret": new_secret,
    })
