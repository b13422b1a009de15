"""The ``Idempotency-Key`` request header on every POST that creates something.

Decorate the view method with :func:`idempotent`. A key is scoped to the user, the endpoint
(view, action and URL arguments), so one client's key can never replay another client's
operation, nor a receipt answer a transfer. With a key, the request runs in one transaction with
the key's claim: the first call answers as usual (201; ``Idempotent-Replayed: false``) and its
answer is kept; a repeat with the same key and body answers 200 with that answer and
``Idempotent-Replayed: true``, changing nothing; the same key with another body answers 422
(IETF idempotency-key draft) with the ``differences`` (body paths, values hashed). A request that
fails binds nothing: the key can be used again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import wraps

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from inventory_app.services.idempotency import idempotency_key_claim, idempotency_response_store

HEADER = "Idempotency-Key"
REPLAY_HEADER = "Idempotent-Replayed"
MAX_KEY_LENGTH = 128

IDEMPOTENCY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        "Any unique string (e.g. a UUID) up to 128 characters. Repeating a request with the same key "
        "applies it once: the repeat answers 200 with the first result and Idempotent-Replayed: true. "
        "The same key with another request body answers 422 with the differing fields."
    ),
)


def _key_read(request: Request) -> str | None:
    raw = request.headers.get(HEADER, "").strip()
    if not raw:
        return None
    if len(raw) > MAX_KEY_LENGTH or not raw.isprintable():
        raise serializers.ValidationError({HEADER: [f"At most {MAX_KEY_LENGTH} printable characters."]})
    return raw


def _fingerprinted(request: Request):
    """What the key is bound to: the body, and the query string when there is one."""
    if not request.query_params:
        return request.data
    return {"query": dict(request.query_params.lists()), "body": request.data}


def _redacted(data, fields: Iterable[str]):
    if not fields or not isinstance(data, dict):
        return data
    return {name: (None if name in fields else value) for name, value in data.items()}


def idempotent(handler: Callable | None = None, *, secret_fields: Iterable[str] = ()) -> Callable:
    """Honour ``Idempotency-Key`` on a view method (see the module docstring).

    ``secret_fields``: top-level fields of the answer shown once (a token, a signing secret): a
    replay answers them as null. The handler finds the scoped key in ``request.idempotency_key``
    (None without the header) for services that take one.
    """
    secrets = frozenset(secret_fields)

    def decorate(method: Callable) -> Callable:
        @wraps(method)
        def wrapper(self, request: Request, *args, **kwargs) -> Response:
            raw = _key_read(request)
            if raw is None:
                request.idempotency_key = None
                return method(self, request, *args, **kwargs)
            scope = ":".join([type(self).__name__, method.__name__, *(str(v) for v in kwargs.values())])
            key = f"api:{request.user.pk}:{scope}:{raw}"
            with transaction.atomic():
                record = idempotency_key_claim(key=key, data=_fingerprinted(request))
                if record.response_status is not None:
                    return _replay(record.response_body)
                request.idempotency_key = key
                response = method(self, request, *args, **kwargs)
                if status.is_success(response.status_code):
                    body = _redacted(response.data, secrets)
                    idempotency_response_store(record=record, status=response.status_code, body=body)
                    response.headers[REPLAY_HEADER] = "false"
                else:
                    transaction.set_rollback(True)  # an answered refusal binds nothing either
            return response

        return extend_schema(parameters=[IDEMPOTENCY_PARAMETER])(wrapper)

    return decorate(handler) if handler is not None else decorate


def _replay(body) -> Response:
    if isinstance(body, dict) and "replayed" in body:  # answers that say whether they are replays
        body = {**body, "replayed": True}
    return Response(body, status=status.HTTP_200_OK, headers={REPLAY_HEADER: "true"})


def idempotency_key_of(request: Request) -> str | None:
    """The scoped key :func:`idempotent` put on the request (None without the header)."""
    return getattr(request, "idempotency_key", None)


def replay_status_headers(*, replayed: bool) -> tuple[int, dict[str, str]]:
    """HTTP status and headers for a (possibly replayed) write."""
    if replayed:
        return status.HTTP_200_OK, {REPLAY_HEADER: "true"}
    return status.HTTP_201_CREATED, {REPLAY_HEADER: "false"}
