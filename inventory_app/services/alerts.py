"""E-mail alerts: persistent channel sync failures, oversold orders, low and out-of-stock SKUs,
expiring credentials, webhook endpoints disabled for failing.

:func:`alerts_refresh` records which conditions hold now (``AlertState``: kept while they last,
removed when they clear). :func:`alerts_notify` mails the new ones once each - a channel failure
only after it has persisted ``ALERTS_PERSIST_MINUTES`` - unless ``ALERTS_DIGEST`` asks for one
daily mail instead, which :func:`alerts_digest_send` sends with every condition still true.
Mail goes through Django's mail settings (console backend by default) to ``ALERTS_EMAILS``, else
to the active managers and superusers that have an address. A sync failure or expiring
credentials that start are also recorded as events (``channel.sync_failing``,
``credentials.expiring``) for integrators.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from inventory_app.dashboard_hooks import channel_health_collect
from inventory_app.hooks import credentials_expiring_collect
from inventory_app.models import AlertState, EventType, WebhookEndpoint
from inventory_app.selectors.dashboard import orders_oversold_count, skus_low_stock, skus_out_of_stock
from inventory_app.services.events.record import events_record

logger = logging.getLogger(__name__)
PERSISTING_KINDS = ("sync",)  # mailed only once they have lasted ALERTS_PERSIST_MINUTES
# Alerts that are also events for integrators, when they start.
EVENT_OF_KIND = {"sync": EventType.CHANNEL_SYNC_FAILING, "credentials": EventType.CREDENTIALS_EXPIRING}


@dataclass(frozen=True)
class Alert:
    """A condition true now: a stable key (one row per condition), its kind and its text."""

    key: str
    kind: str
    text: str


def alerts_current() -> list[Alert]:
    """Every alert condition that holds now."""
    alerts = []
    for health in channel_health_collect():
        problems = []
        if health.failing:
            problems.append(f"{health.failing} listing push(es) failing")
        if health.failed_events:
            problems.append(f"{health.failed_events} inbound event(s) failed")
        if health.last_error:
            problems.append(f"last error: {health.last_error}")
        if health.enabled and problems:
            alerts.append(
                Alert(f"sync:{health.sales_channel_id}", "sync", f"{health.name}: {'; '.join(problems)}")
            )
    for endpoint in WebhookEndpoint.objects.filter(is_active=False, disabled_at__isnull=False).order_by("pk"):
        alerts.append(
            Alert(
                f"webhook:{endpoint.pk}",
                "webhook",
                f"Webhook endpoint {endpoint.url} disabled: {endpoint.disabled_reason}",
            )
        )
    now = timezone.now()
    for credentials in credentials_expiring_collect(
        within=timedelta(days=settings.ALERTS_CREDENTIALS_DAYS), now=now
    ):
        when = (
            f"expire {credentials.expires_at:%Y-%m-%d %H:%M} UTC"
            if credentials.expires_at
            else "no longer work"
        )
        alerts.append(
            Alert(
                f"credentials:{credentials.key}",
                "credentials",
                f"{credentials.name}: credentials {when}. {credentials.text}".strip(),
            )
        )
    if oversold := orders_oversold_count():
        alerts.append(Alert("oversold", "oversold", f"{oversold} open order(s) oversold"))
    if out := skus_out_of_stock().count():
        alerts.append(Alert("stock:out", "stock", f"{out} SKU(s) out of stock"))
    low = list(skus_low_stock().order_by("code").values_list("code", flat=True)[:21])
    if low:
        more = " and more" if len(low) > 20 else ""
        alerts.append(Alert("stock:low", "stock", f"Low stock: {', '.join(low[:20])}{more}"))
    return alerts


def alerts_refresh(*, now: datetime | None = None) -> list[AlertState]:
    """Record the conditions true now (first seen kept, text updated), drop those that cleared."""
    now = now or timezone.now()
    current = {alert.key: alert for alert in alerts_current()}
    with transaction.atomic():
        AlertState.objects.exclude(key__in=current).delete()
        known = set(AlertState.objects.values_list("key", flat=True))
        events_record(
            events=[
                (EVENT_OF_KIND[alert.kind], alert.key, {"key": alert.key, "text": alert.text})
                for alert in current.values()
                if alert.kind in EVENT_OF_KIND and alert.key not in known
            ]
        )
        for alert in current.values():
            AlertState.objects.update_or_create(
                key=alert.key,
                defaults={"kind": alert.kind, "text": alert.text, "last_seen_at": now},
                create_defaults={
                    "kind": alert.kind,
                    "text": alert.text,
                    "first_seen_at": now,
                    "last_seen_at": now,
                },
            )
    return list(AlertState.objects.order_by("kind", "key"))


def alerts_recipients() -> list[str]:
    """ALERTS_EMAILS, else the addresses of active managers and superusers."""
    if settings.ALERTS_EMAILS:
        return list(settings.ALERTS_EMAILS)
    users = get_user_model().objects.filter(Q(is_superuser=True) | Q(groups__name="manager"), is_active=True)
    return sorted({u.email for u in users if u.email})


def _mail(subject: str, states: list[AlertState]) -> bool:
    recipients = alerts_recipients()
    if not recipients:
        logger.warning("alerts not mailed: no ALERTS_EMAILS and no manager with an e-mail address")
        return False
    body = "\n".join(f"- {s.text}" for s in states)
    send_mail(f"[Stock master] {subject}", body + "\n", None, recipients)
    return True


def alerts_notify(*, now: datetime | None = None) -> int:
    """Refresh, then mail the alerts not mailed yet (persisting kinds once old enough); return
    how many were mailed. With ALERTS_DIGEST nothing is mailed here."""
    now = now or timezone.now()
    states = alerts_refresh(now=now)
    if settings.ALERTS_DIGEST:
        return 0
    persist = timedelta(minutes=settings.ALERTS_PERSIST_MINUTES)
    due = [
        s
        for s in states
        if s.sent_at is None and (s.kind not in PERSISTING_KINDS or now - s.first_seen_at >= persist)
    ]
    if not due or not _mail(f"{len(due)} new alert(s)", due):
        return 0
    AlertState.objects.filter(pk__in=[s.pk for s in due]).update(sent_at=now)
    return len(due)


def alerts_digest_send(*, now: datetime | None = None) -> int:
    """The daily digest (ALERTS_DIGEST): every condition still true; return how many it listed."""
    now = now or timezone.now()
    states = alerts_refresh(now=now)
    if not settings.ALERTS_DIGEST or not states:
        return 0
    if not _mail(f"daily digest: {len(states)} alert(s)", states):
        return 0
    AlertState.objects.filter(pk__in=[s.pk for s in states]).update(sent_at=now)
    return len(states)
