"""Audit history plumbing (django-auditlog): who made a change, and secrets masked."""

from __future__ import annotations

from auditlog.middleware import AuditlogMiddleware
from django.utils.functional import SimpleLazyObject

from inventory_app.api.throttling import client_address

MASK = "********"


def audit_mask(value: str) -> str:
    """A secret as stored in the history: ``********`` (empty stays empty), never in clear."""
    return "" if value in ("", "None") else MASK


class AuditMiddleware(AuditlogMiddleware):
    """django-auditlog's middleware, with the actor read when an entry is written (after the API's
    token authentication has set the request's user) and the client address counted as the
    throttles count it (X-Forwarded-For only through NUM_PROXIES)."""

    @staticmethod
    def _get_actor(request):
        return SimpleLazyObject(lambda: AuditlogMiddleware._get_actor(request))

    @staticmethod
    def _get_remote_addr(request):
        return client_address(request)
