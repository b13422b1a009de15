"""Shopify in the account admin: the credential fields of each auth mode, and the connect flow.

The form asks for exactly what the chosen mode needs (``connectors.shopify.auth``): a Dev
Dashboard app's client ID and secret (client credentials on the seller's own store, or the
authorization code grant for an agency's app), or a legacy custom app's Admin API token and API
secret key. The connect views send staff to the shop's install page and take its callback
(``services.connect``); both need the manager role.
"""

from __future__ import annotations

import time

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse

from channels_app.connectors.shopify.auth import MODE_CREDENTIALS
from channels_app.models import ChannelAccount
from channels_app.services.accounts import AccountError
from channels_app.services.connect import account_connect_finish, account_connect_url, connect_state_new
from inventory_app.admin.base import role_allows

MODE_CHOICES = (
    ("client_credentials", "Dev Dashboard app on my own store (client ID + secret)"),
    ("authorization_code", "Dev Dashboard app of an agency, installed by the store (Connect Shopify)"),
    ("access_token", "Legacy custom app made in the store admin before 2026 (Admin API token)"),
)
# Form field -> credential name, per mode.
FIELDS = {
    "shopify_client_id": "client_id",
    "shopify_client_secret": "client_secret",
    "shopify_access_token": "access_token",
    "shopify_api_secret_key": "webhook_secret",
}
SESSION_KEY = "channels_connect"
CONNECT_SECONDS = 600


def _secret(label: str, help_text: str) -> forms.CharField:
    return forms.CharField(
        label=label, required=False, widget=forms.PasswordInput(render_value=False), help_text=help_text
    )


class ShopifyCredentialsMixin(forms.Form):
    """Shopify's credential fields; ``shopify_credentials()`` is what the chosen mode needs."""

    shopify_auth = forms.ChoiceField(label="Shopify connection", choices=MODE_CHOICES, required=False)
    shopify_client_id = forms.CharField(
        label="Shopify client ID", required=False, help_text="Dev Dashboard > your app > Settings"
    )
    shopify_client_secret = _secret("Shopify client secret", "Dev Dashboard > your app > Settings")
    shopify_access_token = _secret("Legacy Admin API access token", "shpat_..., legacy custom apps only")
    shopify_api_secret_key = _secret("Legacy API secret key", "Signs the webhooks; legacy custom apps only")

    def shopify_credentials(self, *, kind: str) -> tuple[str, dict[str, str]] | None:
        """(mode, credentials) typed in the Shopify fields; None when none was typed."""
        data = self.cleaned_data
        typed = {credential: (data.get(name) or "").strip() for name, credential in FIELDS.items()}
        if kind != "shopify" or not any(typed.values()):
            return None
        mode = data.get("shopify_auth") or "client_credentials"
        wanted = MODE_CREDENTIALS[mode]
        missing = [
            name for name, credential in FIELDS.items() if credential in wanted and not typed[credential]
        ]
        extra = [
            name for name, credential in FIELDS.items() if credential not in wanted and typed[credential]
        ]
        for name in missing:
            self.add_error(name, "Required for this Shopify connection")
        for name in extra:
            self.add_error(name, "Not used by this Shopify connection; leave it empty")
        if missing or extra:
            raise ValidationError("Fill in exactly the fields of the chosen Shopify connection")
        return mode, {credential: typed[credential] for credential in wanted}


def _manager(request) -> None:
    if not role_allows(request, "manager"):
        raise PermissionDenied("Connecting a channel account needs the manager role")


def connect_start_view(model_admin, request, object_id: str):
    """Send the browser to the shop's install page (it comes back to :func:`connect_callback_view`)."""
    _manager(request)
    account = get_object_or_404(ChannelAccount, pk=object_id)
    state = connect_state_new()
    redirect_uri = request.build_absolute_uri(reverse("admin:channels_app_channelaccount_connect_callback"))
    try:
        url = account_connect_url(account=account, redirect_uri=redirect_uri, state=state)
    except AccountError as exc:
        model_admin.message_user(request, str(exc), messages.ERROR)
        return HttpResponseRedirect(reverse("admin:channels_app_channelaccount_change", args=[account.pk]))
    request.session[SESSION_KEY] = {"state": state, "account_id": account.pk, "at": time.time()}
    return HttpResponseRedirect(url)


def connect_callback_view(model_admin, request):
    """The shop's redirect back: state, HMAC and shop checked, the code exchanged and stored."""
    _manager(request)
    pending = request.session.pop(SESSION_KEY, None) or {}
    account = ChannelAccount.objects.filter(pk=pending.get("account_id")).first()
    if account is None or time.time() - float(pending.get("at", 0)) > CONNECT_SECONDS:
        model_admin.message_user(
            request, "No connect request of yours is pending (expired or started elsewhere)", messages.ERROR
        )
        return HttpResponseRedirect(reverse("admin:channels_app_channelaccount_changelist"))
    try:
        account_connect_finish(
            account=account, params=request.GET.dict(), state=str(pending.get("state", ""))
        )
    except AccountError as exc:
        model_admin.message_user(request, str(exc), messages.ERROR)
    else:
        model_admin.message_user(request, f"{account.name}: connected", messages.SUCCESS)
    return HttpResponseRedirect(reverse("admin:channels_app_channelaccount_change", args=[account.pk]))
