"""GET /api/v1/: an index of the API (every endpoint without path parameters, and the docs)."""

from __future__ import annotations

import functools
import re

from django.urls import URLPattern, URLResolver, get_resolver
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

PREFIX = "api/v1/"
_PARAM = re.compile(r"\(\?P<|<\w|\[|\\\.")


def _text(pattern) -> str:
    """A URL pattern as a plain path piece: ``^products/?$`` -> ``products/``."""
    text = str(pattern.pattern)
    return text.removeprefix("^").removesuffix("$").replace("/?", "/")


def _walk(patterns, prefix: str):
    for entry in patterns:
        route = prefix + _text(entry)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route)
        elif isinstance(entry, URLPattern):
            yield route


@functools.cache
def api_v1_paths() -> tuple[str, ...]:
    """Paths under /api/v1/ that take no parameter (lists and actions), sorted, once per process."""
    found = {
        "/" + route
        for route in _walk(get_resolver().url_patterns, "")
        if route.startswith(PREFIX) and route != PREFIX and not _PARAM.search(route)
    }
    return tuple(sorted(path if path.endswith("/") else path + "/" for path in found))


class ApiIndexView(APIView):
    """The API's index: every endpoint of version 1 without path parameters, the OpenAPI schema
    and its browsable docs (viewer role, like every read)."""

    @extend_schema(
        tags=["index"],
        responses={
            200: inline_serializer(
                "ApiIndex",
                {
                    "version": serializers.CharField(),
                    "schema": serializers.CharField(),
                    "docs": serializers.CharField(),
                    "endpoints": serializers.ListField(child=serializers.CharField()),
                },
            )
        },
    )
    def get(self, request: Request) -> Response:
        return Response(
            {
                "version": "v1",
                "schema": request.build_absolute_uri("/api/schema/"),
                "docs": request.build_absolute_uri("/api/docs/"),
                "endpoints": [request.build_absolute_uri(path) for path in api_v1_paths()],
            }
        )
