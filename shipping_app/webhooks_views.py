"""The shipping webhook endpoint: :class:`config.integrations.webhooks.WebhookReceiveView` (the
one import of it in shipping_app) configured with the shipping account lookup and service.

The provider verifies the delivery (signature, or the secret in the URL for vendors that do not
sign); the service stores the event once and enqueues it. A provider error about the delivery
is a 400, like a malformed body.
"""

from __future__ import annotations

from django.http import HttpRequest

from config.integrations.webhooks import WebhookReceiveView
from shipping_app.models import ShippingAccount, ShippingWebhookEvent
from shipping_app.providers.base import ProviderError, WebhookPayloadError, WebhookSignatureError
from shipping_app.services.notifications import webhook_receive


class ShippingWebhookView(WebhookReceiveView):
    """One delivery from a shipping service."""

    signature_errors = (WebhookSignatureError,)
    payload_errors = (WebhookPayloadError, ProviderError)

    def account_get(self, *, token: str) -> ShippingAccount | None:
        return ShippingAccount.objects.filter(webhook_token=token, enabled=True).first()

    def receive(
        self, *, request: HttpRequest, account: ShippingAccount, body: bytes
    ) -> tuple[ShippingWebhookEvent, bool]:
        return webhook_receive(
            account=account,
            method=request.method or "POST",
            path=request.path,
            query=request.GET.dict(),
            headers=dict(request.headers),
            body=body,
        )


shipping_webhook = ShippingWebhookView.as_webhook_view()
