"""The shipping webhook endpoint: thin; the service verifies (provider), stores once and enqueues.

Answers: 200 stored (or already stored), 401 bad signature/secret (nothing stored), 400 malformed
body (nothing stored), 404 unknown or disabled account. CSRF does not apply (deliveries are
verified by their provider).
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from shipping_app.models import ShippingAccount
from shipping_app.providers.base import ProviderError, WebhookPayloadError, WebhookSignatureError
from shipping_app.services.notifications import webhook_receive

MAX_BODY = 5 * 1024 * 1024


@csrf_exempt
@require_POST
def shipping_webhook(request: HttpRequest, token: str) -> JsonResponse:
    """Receive one delivery for the account whose webhook token is ``token``."""
    account = ShippingAccount.objects.filter(webhook_token=token, enabled=True).first()
    if account is None:
        return JsonResponse({"detail": "unknown account"}, status=404)
    body = request.body
    if len(body) > MAX_BODY:
        return JsonResponse({"detail": "body too large"}, status=413)
    try:
        event, created = webhook_receive(
            account=account,
            method=request.method or "POST",
            path=request.path,
            query=request.GET.dict(),
            headers=dict(request.headers),
            body=body,
        )
    except WebhookSignatureError:
        return JsonResponse({"detail": "bad signature"}, status=401)
    except WebhookPayloadError as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    except ProviderError as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    return JsonResponse({"event": event.pk, "duplicate": not created}, status=200)
