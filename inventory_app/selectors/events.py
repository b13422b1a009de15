"""Reading events by cursor, and the webhook delivery log."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import QuerySet

from inventory_app.models import Event, EventType, WebhookDelivery

CURSOR_PREFIX = "ev1:"


class CursorInvalid(ValueError):
    """A cursor this server did not hand out."""


def event_cursor_encode(*, seq: int) -> str:
    """The opaque cursor that lists the events after ``seq``."""
    return base64.urlsafe_b64encode(f"{CURSOR_PREFIX}{seq}".encode()).decode().rstrip("=")


def event_cursor_decode(*, cursor: str) -> int:
    """The ``seq`` inside a cursor; raises :class:`CursorInvalid`."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError) as exc:
        raise CursorInvalid("Unknown cursor") from exc
    if not text.startswith(CURSOR_PREFIX) or not text[len(CURSOR_PREFIX) :].isdigit():
        raise CursorInvalid("Unknown cursor")
    return int(text[len(CURSOR_PREFIX) :])


@dataclass(frozen=True)
class EventPage:
    """Events after a cursor, the cursor to ask with next (also when empty), whether more wait."""

    events: list[Event]
    next_cursor: str
    has_more: bool


def events_after(*, after: int = 0, types: Sequence[str] = (), limit: int = 100) -> EventPage:
    """Published events with ``seq`` > ``after`` (of ``types``, if given), oldest first."""
    unknown = sorted(set(types) - set(EventType.values))
    if unknown:
        raise ValueError(f"Unknown event type(s): {', '.join(unknown)}")
    events = Event.objects.filter(seq__gt=after)
    if types:
        events = events.filter(type__in=list(types))
    rows = list(events.order_by("seq")[: limit + 1])
    page, has_more = rows[:limit], len(rows) > limit
    last = page[-1].seq if page else after
    return EventPage(events=page, next_cursor=event_cursor_encode(seq=last), has_more=has_more)


def webhook_deliveries(*, endpoint_id: int | None = None, status: str | None = None) -> QuerySet:
    """The delivery log, newest first, with each event."""
    deliveries = WebhookDelivery.objects.select_related("event", "endpoint")
    if endpoint_id is not None:
        deliveries = deliveries.filter(endpoint_id=endpoint_id)
    if status:
        deliveries = deliveries.filter(status=status)
    return deliveries.order_by("-seq", "-pk")
