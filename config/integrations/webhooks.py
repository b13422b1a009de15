"""The webhook receiving view every integration app configures.

One delivery is one POST to ``<prefix>/<token>/``. The view finds the account by its webhook
token, bounds the body, hands the delivery to the app's service (which checks the signature,
parses the JSON and stores the event once), and answers:

* 200 ``{"event": <id>, "duplicate": <bool>}`` - stored, or already stored (idempotent);
* 401 bad signature or secret - nothing stored;
* 400 malformed body (an error of ``payload_errors``) - nothing stored;
* 404 unknown or disabled account; 413 body over :data:`MAX_BODY`; 405 any method but POST.

CSRF does not apply: deliveries are verified by their vendor's signature.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.http import HttpRequest, JsonResponse
from django.views import View
from django.views.decorators.csrf import csrf_exempt

MAX_BODY = 5 * 1024 * 1024


class WebhookReceiveView(View):
    """Subclasses say how to find the account (:meth:`account_get`), how to hand a delivery to
    their service (:meth:`receive`) and which exceptions mean a bad signature or a bad body."""

    http_method_names: ClassVar[list[str]] = ["post"]
    signature_errors: ClassVar[tuple[type[Exception], ...]] = ()
    payload_errors: ClassVar[tuple[type[Exception], ...]] = ()
    max_body: ClassVar[int] = MAX_BODY

    def account_get(self, *, token: str) -> Any | None:
        """The enabled account whose webhook token is ``token`` (None: unknown or disabled)."""
        raise NotImplementedError

    def receive(self, *, request: HttpRequest, account: Any, body: bytes) -> tuple[Any, bool]:
        """Verify, parse and store one delivery once: (stored event, created)."""
        raise NotImplementedError

    def post(self, request: HttpRequest, token: str) -> JsonResponse:
        """Receive one delivery for the account whose webhook token is ``token``."""
        account = self.account_get(token=token)
        if account is None:
            return JsonResponse({"detail": "unknown account"}, status=404)
        body = request.body
        if len(body) > self.max_body:
            return JsonResponse({"detail": "body too large"}, status=413)
        try:
            event, created = self.receive(request=request, account=account, body=body)
        except self.signature_errors:
            return JsonResponse({"detail": "bad signature"}, status=401)
        except self.payload_errors as exc:
            return JsonResponse({"detail": str(exc)}, status=400)
        return JsonResponse({"event": event.pk, "duplicate": not created}, status=200)

    @classmethod
    def as_webhook_view(cls):
        """The view function to route: CSRF-exempt, POST only."""
        return csrf_exempt(cls.as_view())
