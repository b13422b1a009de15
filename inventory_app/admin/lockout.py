"""The answer to a locked-out staff login (django-axes): 429 with Retry-After."""

from __future__ import annotations

from axes.helpers import get_cool_off, get_lockout_message
from django.http import HttpRequest, HttpResponse


def lockout_response(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """Too many failed logins for this username or address: try again after the cool-off."""
    response = HttpResponse(get_lockout_message(), status=429, content_type="text/plain; charset=utf-8")
    cool_off = get_cool_off(request)
    if cool_off:
        response["Retry-After"] = str(int(cool_off.total_seconds()))
    return response
