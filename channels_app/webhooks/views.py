"""The channel webhook endpoint: :class:`config.integrations.webhooks.WebhookReceiveView` (the
one import of it in channels_app) configured with the channel account lookup and intake service.

The connector verifies the signature; the service stores the event once and enqueues its drain.
"""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse

from channels_app.connectors.errors import WebhookPayloadError, WebhookPing, WebhookSignatureError
from channels_app.intake.orders import webhook_receive
from channels_app.models import ChannelAccount, InboundEvent
from channels_app.selectors.webhooks import account_for_webhook_token
from config.integrations.webhooks import MAX_BODY, WebhookReceiveView

__all__ = ["MAX_BODY", "ChannelWebhookView", "channel_webhook"]


class ChannelWebhookView(WebhookReceiveView):
    """One delivery from a sales channel."""

    signature_errors = (WebhookSignatureError,)
    payload_errors = (WebhookPayloadError,)

    def account_get(self, *, token: str) -> ChannelAccount | None:
        return account_for_webhook_token(token=token)

    def receive(
        self, *, request: HttpRequest, account: ChannelAccount, body: bytes
    ) -> tuple[InboundEvent, bool]:
        return webhook_receive(account=account, headers=dict(request.headers), body=body)

    def post(self, request: HttpRequest, token: str) -> JsonResponse:
        """As the base view; a channel's URL test (``WebhookPing``) gets 200 and stores nothing."""
        try:
            return super().post(request, token)
        except WebhookPing:
            return JsonResponse({"detail": "ping"}, status=200)


channel_webhook = ChannelWebhookView.as_webhook_view()
