"""URLs of the intake benchmark: the project's routes plus a bare Django view to compare with."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def bare(request: HttpRequest) -> JsonResponse:
    """Reads the body and answers a small JSON document, nothing else (the floor of a request)."""
    return JsonResponse({"ok": True, "bytes": len(request.body)})


urlpatterns = [path("bench/bare/", bare), path("", include("config.urls"))]
