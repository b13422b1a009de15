"""Inbound events of the order intake: storing them once, their order snapshot's JSON form, and
the name of a polled order version."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction

from channels_app.connectors.dto import OrderDTO, OrderLineDTO
from channels_app.models import ChannelAccount, InboundEvent, InboundEventStatus


def order_dto_dump(*, order: OrderDTO) -> dict:
    """JSON form of an order snapshot (stored on the inbound event)."""
    data = asdict(order)
    data["updated_at"] = order.updated_at.isoformat()
    data["created_at"] = order.created_at.isoformat() if order.created_at else None
    data["total"] = str(order.total)
    for line in data["lines"]:
        line["unit_price"] = str(line["unit_price"])
    return data


def order_dto_load(*, data: Mapping) -> OrderDTO:
    """Inverse of :func:`order_dto_dump`."""
    lines = [OrderLineDTO(**{**line, "unit_price": Decimal(line["unit_price"])}) for line in data["lines"]]
    return OrderDTO(
        **{
            **data,
            "lines": lines,
            "total": Decimal(data["total"]),
            "updated_at": datetime.fromisoformat(data["updated_at"]),
            "created_at": datetime.fromisoformat(data["created_at"]) if data.get("created_at") else None,
        }
    )


def polled_event_id(*, order: OrderDTO) -> str:
    """Event id of a polled order version: ``poll:<id>:<updated_at>:<digest>``.

    The digest (16 hex digits of the SHA-256 of the snapshot's canonical JSON) tells apart two
    versions stamped with the same second (vendors with second-precision timestamps), while the
    same version polled twice keeps one name.
    """
    canonical = json.dumps(order_dto_dump(order=order), sort_keys=True, separators=(",", ":"), default=str)
    digest = hashlib.sha256(canonical.encode()).hexdigest()[:16]
    return f"poll:{order.external_id}:{order.updated_at.isoformat()}:{digest}"


REJECTED_BODY_KEEP = 2000


def inbound_event_reject(*, account: ChannelAccount, body: bytes, topic: str, error: str) -> InboundEvent:
    """Record a verified delivery whose payload was refused: status failed, with why (once per body).

    The event id is ``rejected:<sha256 of the body>``; the payload keeps the body's start (NUL
    replaced: JSON columns cannot hold it). Nothing else is stored or applied.
    """
    text = body[:REJECTED_BODY_KEEP].decode("utf-8", "replace").replace("\x00", "\ufffd")
    event, _ = InboundEvent.objects.get_or_create(
        account=account,
        event_id=f"rejected:{hashlib.sha256(body).hexdigest()}",
        defaults={
            "source": "webhook",
            "topic": (topic or "rejected")[:64],
            "payload": {"body": text},
            "status": InboundEventStatus.FAILED,
            "error": error,
        },
    )
    return event


def inbound_event_record(
    *,
    account: ChannelAccount,
    event_id: str,
    source: str,
    topic: str,
    payload: Mapping,
    order: OrderDTO | None,
    status: str | None = None,
) -> tuple[InboundEvent, bool]:
    """Store an event once per (account, event id); return (event, created). ``status`` defaults
    to pending with an order, ignored without one.

    One ``INSERT ... ON CONFLICT DO NOTHING``: a repeated delivery, even a concurrent one, is
    stored once; the existing event is read back only for a repeat.
    """
    event_id = event_id[:255]
    fields = {
        "source": source,
        "topic": topic[:64],
        "payload": dict(payload),
        "order": order_dto_dump(order=order) if order is not None else None,
        "status": status or (InboundEventStatus.PENDING if order is not None else InboundEventStatus.IGNORED),
    }
    if connection.vendor != "postgresql":
        with transaction.atomic():
            return InboundEvent.objects.get_or_create(account=account, event_id=event_id, defaults=fields)
    table = InboundEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'INSERT INTO {table} (account_id, event_id, source, topic, payload, "order", '  # noqa: S608
            "received_at, status, attempts, error) "
            "VALUES (%s, %s, %s, %s, %s::jsonb, %s::jsonb, CLOCK_TIMESTAMP(), %s, 0, '') "
            "ON CONFLICT (account_id, event_id) DO NOTHING RETURNING id",
            [
                account.pk,
                event_id,
                fields["source"],
                fields["topic"],
                json.dumps(fields["payload"], cls=DjangoJSONEncoder),
                None if fields["order"] is None else json.dumps(fields["order"], cls=DjangoJSONEncoder),
                fields["status"],
            ],
        )
        row = cursor.fetchone()
    if row is not None:
        event = InboundEvent(pk=row[0], account=account, event_id=event_id, **fields)
        return event, True
    return InboundEvent.objects.get(account=account, event_id=event_id), False
