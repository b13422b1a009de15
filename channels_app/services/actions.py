"""Staff actions: change an account, retry failures, "sync now"."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Now
from django.utils import timezone

from channels_app import task_names
from channels_app.models import ChannelAccount, InboundEvent, InboundEventStatus, Listing
from channels_app.push.outbox import account_push_request
from channels_app.services.accounts import (
    AccountError,
    account_credentials_set,
    account_options_check,
    account_options_validate,
    oversell_risk_check,
)
from channels_app.services.schedule import account_schedule_ensure
from config.integrations.tasks import task_enqueue
from inventory_app.models import Location
from inventory_app.services.audit import audit_record_update

RULE_FIELDS = ("buffer", "percentage", "max_published", "min_published", "adaptive_buffer")
ACCOUNT_FIELDS = (
    "name", "base_url", "enabled", "dry_run", "poll_interval_seconds", "options", *RULE_FIELDS,
    "oversell_risk_percent",
)  # fmt: skip


def account_update(
    *,
    account: ChannelAccount,
    data: Mapping[str, object],
    location_ids: Sequence[int] | None = None,
    credentials: Mapping[str, str] | None = None,
) -> ChannelAccount:
    """Change an account's settings, rules, locations or credentials.

    A change of rules or locations marks every linked listing dirty (their figures change); the
    beat entries follow ``enabled`` and ``poll_interval_seconds``. Switching dry-run off is
    :func:`~channels_app.services.onboarding.account_go_live`'s job and is refused here.
    """
    unknown = set(data) - set(ACCOUNT_FIELDS)
    if unknown:
        raise AccountError(f"Unknown field(s): {', '.join(sorted(unknown))}")
    if account.dry_run and data.get("dry_run") is False:
        raise AccountError("Use go-live to leave dry run")
    if "percentage" in data and not 0 <= int(data["percentage"]) <= 100:
        raise AccountError("percentage must be between 0 and 100")
    if "oversell_risk_percent" in data:
        oversell_risk_check(value=data["oversell_risk_percent"])
    if "adaptive_buffer" in data and not isinstance(data["adaptive_buffer"], bool):
        raise AccountError("adaptive_buffer must be true or false")
    if "options" in data:
        if not isinstance(data["options"], Mapping):
            raise AccountError("options must be a JSON object")
        account_options_validate(kind=account.kind, options=data["options"])
    with transaction.atomic():
        account = ChannelAccount.objects.select_for_update().get(pk=account.pk)
        if "options" in data and credentials is None:
            account_options_check(account=account, options=data["options"])  # type: ignore[arg-type]
        for key, value in data.items():
            setattr(account, key, value)
        account.save()
        if credentials is not None:
            account_credentials_set(account=account, credentials=credentials)
        if location_ids is not None:
            account.locations.set(Location.objects.filter(pk__in=location_ids))
        if (
            location_ids is not None
            or set(data) & {*RULE_FIELDS, "oversell_risk_percent"}
            or data.get("enabled")
        ):
            Listing.objects.filter(account=account, sku__isnull=False).update(
                updated_at=timezone.now(),
                needs_push=True,
                dirty_since=Now(),
                dirty_version=F("dirty_version") + 1,
                next_attempt_at=None,
            )
            account_push_request(account_ids=[account.pk])
        account_schedule_ensure(account=account)
    return account


def listing_rules_set(*, listing: Listing, rules: Mapping[str, int | bool | None]) -> Listing:
    """Override (or, with None, inherit again) the listing's publishing rules; marks it dirty."""
    unknown = set(rules) - set(RULE_FIELDS)
    if unknown:
        raise AccountError(f"Unknown rule(s): {', '.join(sorted(unknown))}")
    if rules.get("adaptive_buffer") is not None and not isinstance(rules["adaptive_buffer"], bool):
        raise AccountError("adaptive_buffer must be true, false or null (the account's setting)")
    with transaction.atomic():
        Listing.objects.filter(pk=listing.pk).update(
            **rules,
            updated_at=timezone.now(),
            needs_push=True,
            dirty_since=Now(),
            dirty_version=F("dirty_version") + 1,
            next_attempt_at=None,
        )
        audit_record_update(
            instance=listing, changes={name: (getattr(listing, name), value) for name, value in rules.items()}
        )
        account_push_request(account_ids=[listing.account_id])
    listing.refresh_from_db()
    return listing


def listing_push_retry(*, listing: Listing) -> Listing:
    """Retry a listing's push now: clear its backoff and request a push."""
    with transaction.atomic():
        Listing.objects.filter(pk=listing.pk).update(
            updated_at=timezone.now(),
            needs_push=True,
            dirty_since=Now(),
            next_attempt_at=None,
            claimed_until=None,
            dirty_version=F("dirty_version") + 1,
        )
        account_push_request(account_ids=[listing.account_id])
    listing.refresh_from_db()
    return listing


def inbound_event_retry(*, event: InboundEvent) -> InboundEvent:
    """Process a failed inbound event again (after commit, on a worker)."""
    if event.status != InboundEventStatus.FAILED:
        raise AccountError("Only failed events can be retried")
    task_enqueue(name=task_names.INBOUND_EVENT_PROCESS, args=(event.pk,))
    return event


def account_sync_now(
    *,
    account: ChannelAccount,
    orders: bool = True,
    push: bool = True,
    reconcile: bool = False,
    listings: bool = False,
) -> list[str]:
    """Enqueue the chosen sync jobs for ``account`` now; return their names. ``listings``: the
    listings import, which for a large Amazon catalog waits minutes for Amazon's report."""
    started = []
    if listings:
        task_enqueue(name=task_names.ACCOUNT_LISTINGS_IMPORT, args=(account.pk,))
        started.append("listings")
    if orders:
        task_enqueue(name=task_names.ACCOUNT_ORDERS_SYNC, args=(account.pk,))
        started.append("orders")
    if push:
        with transaction.atomic():
            Listing.objects.filter(account=account, needs_push=True).update(next_attempt_at=None)
        task_enqueue(name=task_names.ACCOUNT_PUSH, args=(account.pk,))
        started.append("push")
    if reconcile:
        task_enqueue(name=task_names.ACCOUNT_RECONCILE, args=(account.pk,))
        started.append("reconcile")
    return started
