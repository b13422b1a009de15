"""eBay's endpoints: an account's notification destination and the app's account deletion endpoint.

Both answer eBay's endpoint check, ``GET ?challenge_code=``, with 200 ``{"challengeResponse":
hex(sha256(challengeCode + verificationToken + endpoint))}`` (endpoint: this URL as registered,
without the query). A POST is a notification signed with ``X-EBAY-SIGNATURE``: it is verified
first; a bad or missing signature gets 412 and nothing is stored or done, a public key eBay could
not serve gets 500 (eBay delivers again), a verified one gets 200/204.
"""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from channels_app.connectors.ebay.notifications import challenge_response
from channels_app.connectors.errors import ConnectorError, WebhookPayloadError, WebhookSignatureError
from channels_app.intake.orders import webhook_receive
from channels_app.selectors.webhooks import account_for_webhook_token
from channels_app.services.accounts import account_config, account_connector
from channels_app.services.ebay_deletion import ebay_account_deletion_apply, ebay_accounts_for_deletion
from channels_app.webhooks.views import MAX_BODY

logger = logging.getLogger(__name__)


def _challenge(request: HttpRequest, *, token: str, endpoint: str) -> HttpResponse:
    code = request.GET.get("challenge_code", "")
    if not code or not token:
        return JsonResponse({"detail": "challenge_code missing"}, status=400)
    answer = challenge_response(challenge_code=code, verification_token=token, endpoint=endpoint)
    return JsonResponse({"challengeResponse": answer})


def _endpoint(request: HttpRequest) -> str:
    return request.build_absolute_uri(request.path)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def ebay_notifications(request: HttpRequest, token: str) -> HttpResponse:
    """An eBay account's notification destination (ORDER_CONFIRMATION)."""
    account = account_for_webhook_token(token=token)
    if account is None or account.kind != "ebay":
        return JsonResponse({"detail": "unknown account"}, status=404)
    if request.method == "GET":
        secret = account_config(account=account).credentials.get("verification_token", "")
        return _challenge(request, token=secret, endpoint=_endpoint(request))
    if len(request.body) > MAX_BODY:
        return JsonResponse({"detail": "body too large"}, status=413)
    try:
        event, created = webhook_receive(account=account, headers=dict(request.headers), body=request.body)
    except WebhookSignatureError:
        return JsonResponse({"detail": "bad signature"}, status=412)
    except WebhookPayloadError as exc:
        return JsonResponse({"detail": str(exc)}, status=400)
    except ConnectorError as exc:
        logger.warning("eBay notification for account %s not taken: %s", account.pk, exc)
        return JsonResponse({"detail": "try again"}, status=500)
    return JsonResponse({"event": event.pk, "duplicate": not created}, status=200)


@csrf_exempt
@require_http_methods(["GET", "POST"])
def ebay_account_deletion(request: HttpRequest) -> HttpResponse:
    """The app's marketplace account deletion endpoint (registered in eBay's developer portal)."""
    endpoint = settings.EBAY_DELETION_ENDPOINT or _endpoint(request)
    if request.method == "GET":
        return _challenge(request, token=settings.EBAY_DELETION_VERIFICATION_TOKEN, endpoint=endpoint)
    if len(request.body) > MAX_BODY:
        return JsonResponse({"detail": "body too large"}, status=413)
    accounts = ebay_accounts_for_deletion()
    if not accounts:
        return HttpResponse(status=204)  # no eBay account: nothing of eBay's is stored
    try:
        account_connector(account=accounts[0]).webhook_verify(
            headers=dict(request.headers), body=request.body
        )
    except WebhookSignatureError:
        return JsonResponse({"detail": "bad signature"}, status=412)
    except ConnectorError as exc:
        logger.warning("eBay deletion notice not verified now: %s", exc)
        return JsonResponse({"detail": "try again"}, status=500)
    try:
        data = json.loads(request.body)
        notification = data["notification"]
        if data["metadata"]["topic"] != "MARKETPLACE_ACCOUNT_DELETION":
            raise ValueError("another topic")
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"detail": "not a MARKETPLACE_ACCOUNT_DELETION notification"}, status=400)
    ebay_account_deletion_apply(
        notification_id=str(notification.get("notificationId") or ""), data=notification.get("data") or {}
    )
    return HttpResponse(status=204)
