"""The API docs pages (Swagger UI, Redoc) from our static files, under a same-origin-only policy.

Redoc's bundle draws its vendor's logo from the vendor's CDN; the Content-Security-Policy here
makes the browser refuse that and anything else not served by us, so the docs never reach
another host (they work the same without internet).
"""

from __future__ import annotations

from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny

SAME_ORIGIN_ONLY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'"
)


class _SameOriginOnly:
    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Content-Security-Policy"] = SAME_ORIGIN_ONLY
        return response


class SwaggerDocsView(_SameOriginOnly, SpectacularSwaggerView):
    """Swagger UI of the schema, open to anyone (the schema itself holds no data)."""

    permission_classes = [AllowAny]


class RedocDocsView(_SameOriginOnly, SpectacularRedocView):
    """Redoc of the schema, without the web fonts drf-spectacular's page links."""

    permission_classes = [AllowAny]
    template_name = "api/redoc.html"
