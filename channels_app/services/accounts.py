"""Channel accounts: create one (with its core SalesChannel), change credentials, build its connector."""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from decimal import Decimal

from django.db import transaction
from django.utils.text import slugify

from channels_app.connectors.base import Connector
from channels_app.connectors.dto import AccountConfig
from channels_app.connectors.options import options_problems
from channels_app.connectors.registry import connector_build, connector_class_get
from channels_app.crypto import credentials_decrypt, credentials_encrypt
from channels_app.models import ChannelAccount
from inventory_app.models import Location, SalesChannel


class AccountError(Exception):
    """An account operation was refused (unknown kind, missing credential...)."""


def _credentials_check(
    *, kind: str, credentials: Mapping[str, str], options: Mapping[str, object] | None = None
) -> None:
    cls = connector_class_get(kind=kind)
    unknown = set(credentials) - set(cls.credential_fields)
    if unknown:
        raise AccountError(f"Unknown credential field(s) for {kind}: {', '.join(sorted(unknown))}")
    problems = cls.credentials_problems(credentials=credentials, options=options or {})
    if problems:
        raise AccountError(f"{cls.label or kind} credentials: {'; '.join(problems)}")


def account_options_validate(*, kind: str, options: Mapping[str, object]) -> None:
    """Refuse (AccountError, naming each) options the connector of ``kind`` does not declare or
    whose value has the wrong type or is not one of the declared choices."""
    problems = options_problems(declared=connector_class_get(kind=kind).options, options=options)
    if problems:
        raise AccountError(f"Options: {'; '.join(problems)}")


def oversell_risk_check(*, value: object) -> None:
    """Refuse an oversell risk outside 0.01-50 percent (the adaptive buffer's setting)."""
    try:
        risk = Decimal(str(value))
    except (ArithmeticError, ValueError):
        raise AccountError("oversell_risk_percent must be a number") from None
    if not (risk.is_finite() and Decimal("0.01") <= risk <= Decimal("50")):
        raise AccountError("oversell_risk_percent must be between 0.01 and 50")


def account_create(
    *,
    kind: str,
    name: str,
    base_url: str,
    credentials: Mapping[str, str],
    options: Mapping[str, object] | None = None,
    code: str = "",
    location_ids: Sequence[int] = (),
    dry_run: bool = False,
    enabled: bool = True,
    buffer: int = 0,
    percentage: int = 100,
    max_published: int | None = None,
    min_published: int = 0,
    poll_interval_seconds: int = 120,
    adaptive_buffer: bool = True,
    oversell_risk_percent: Decimal | float | str = Decimal("1.00"),
    schedule: bool = True,
) -> ChannelAccount:
    """Create a channel account and the core SalesChannel its orders belong to.

    Credentials are encrypted before they are stored. With ``schedule`` the account's periodic
    order poll and reconciliation are created (django_celery_beat rows).
    """
    from channels_app.services.schedule import account_schedule_ensure

    try:
        connector_class_get(kind=kind)
    except LookupError as exc:
        raise AccountError(str(exc)) from None
    account_options_validate(kind=kind, options=options or {})
    _credentials_check(kind=kind, credentials=credentials, options=options)
    if not 0 <= percentage <= 100:
        raise AccountError("percentage must be between 0 and 100")
    oversell_risk_check(value=oversell_risk_percent)
    with transaction.atomic():
        channel = SalesChannel.objects.create(code=code or slugify(name)[:64], name=name, kind=kind)
        account = ChannelAccount.objects.create(
            sales_channel=channel,
            kind=kind,
            name=name,
            base_url=base_url,
            credentials_encrypted=credentials_encrypt(credentials=dict(credentials)),
            options=dict(options or {}),
            dry_run=dry_run,
            enabled=enabled,
            buffer=buffer,
            percentage=percentage,
            max_published=max_published,
            min_published=min_published,
            poll_interval_seconds=poll_interval_seconds,
            adaptive_buffer=adaptive_buffer,
            oversell_risk_percent=Decimal(str(oversell_risk_percent)),
        )
        if location_ids:
            account.locations.set(Location.objects.filter(pk__in=location_ids))
        if schedule:
            account_schedule_ensure(account=account)
    return account


def account_options_check(*, account: ChannelAccount, options: Mapping[str, object]) -> None:
    """Refuse (AccountError) options under which the account's stored credentials do not work
    (e.g. another Shopify connection mode than the credentials were typed for)."""
    _credentials_check(
        kind=account.kind,
        credentials=credentials_decrypt(token=account.credentials_encrypted),
        options=options,
    )


def account_credentials_set(*, account: ChannelAccount, credentials: Mapping[str, str]) -> ChannelAccount:
    """Replace the account's credentials (encrypted at rest); a token obtained with the old ones
    is dropped."""
    from channels_app.services.tokens import account_token_forget

    _credentials_check(kind=account.kind, credentials=credentials, options=account.options)
    account.credentials_encrypted = credentials_encrypt(credentials=dict(credentials))
    account.save(update_fields=["credentials_encrypted"])
    account_token_forget(account=account)
    return account


def account_config(*, account: ChannelAccount) -> AccountConfig:
    """The values a connector gets: base URL, decrypted credentials, options."""
    return AccountConfig(
        account_id=account.pk,
        base_url=account.base_url,
        credentials=credentials_decrypt(token=account.credentials_encrypted),
        options=dict(account.options),
    )


_connectors = threading.local()


def account_connector(*, account: ChannelAccount) -> Connector:
    """A connector instance for ``account``, with HTTP confined to its host.

    Reused within a thread while the account's kind, URL, credentials and options are unchanged,
    so its HTTP session keeps its connections alive between pushes.
    """
    key = (
        account.kind,
        account.base_url,
        account.credentials_encrypted,
        repr(sorted(account.options.items())),
    )
    cache = getattr(_connectors, "cache", None)
    if cache is None:
        cache = _connectors.cache = {}
    hit = cache.get(account.pk)
    if hit is not None and hit[0] == key:
        return hit[1]
    connector = connector_build(kind=account.kind, config=account_config(account=account))
    cache[account.pk] = (key, connector)
    return connector
