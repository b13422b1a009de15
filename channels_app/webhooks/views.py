"""The webhook endpoint: thin; the service verifies (connector), stores once and enqueues.

Answers: 200 stored (or already stored), 401 bad signature (nothing stored), 400 malformed body,
404 unknown or disabled account. CSRF does not apply (channels sign their deliveries).
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from channels_app.connectors.errors import WebhookPayloadError, WebhookSignatureError
from channels_app.selectors.webhooks import account_for_webhook_token
from channels_app.services.intake import webhook_receive

MAX_BODY = 5 * 1024 * 1024


@csrf_exempt
@require_POST
def channel_webhook(request: HttpRequest, token: str) -> JsonResponse:
    """Receive one delivery for the account whose webhook token is ``token``."""
    account = account_for_webhook_token(token=token)
    if account is None:
        return JsonResponse({"detail": "unknown account"}, status=404)
    body = request.body
    if len(body) > MAX_BODY:
        return JsonResponse({"detail": "body too large"}, status=413)
    try:
        event, created = webhook_receive(account=account, headers=dict(request.headers), body=body)
    except WebhookSignatureError:
        return JsonResponse({"detail": "bad signature"}, status=401)
    except WebhookPayloadError as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    return JsonResponse({"event": event.pk, "duplicate": not created}, status=200)
