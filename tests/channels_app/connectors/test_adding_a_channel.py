"""docs/adding-a-channel.md followed literally for a throwaway channel, "tinyshop".

Steps 2-5 are below: a copy of the generic connector cut down to the required hooks plus one
capability (ConfirmsFulfilment), absolute pushes (``quantity_mode = "set"``), declared options
and credentials, registered for these tests only. Its fake (step 6) is the generic fake shop,
whose protocol tinyshop speaks. The tests show what follows: the engine imports, pushes, polls
and confirms shipments through it and never calls a capability it lacks (webhooks, their
registration, notifications, cancellation); the admin form and the API validate its options from
the declaration; the README table is generated from it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import pytest

from channels_app.connectors import dto, registry
from channels_app.connectors.base import ConfirmsFulfilment, Connector, capabilities_of
from channels_app.connectors.errors import ConnectorError
from channels_app.connectors.generic.mapping import listing_from_json, order_from_json
from channels_app.connectors.options import Credential, Option, options_table, readme_with_table
from channels_app.intake.polling import account_orders_sync
from channels_app.models import ChannelAccount, InboundEvent
from channels_app.notifications.queue import account_notifications_configured
from channels_app.notifications.webhook_subscriptions import account_webhooks_register
from channels_app.order_reports.fulfilment import order_fulfilment_push
from channels_app.order_reports.pushes import order_cancelled_listener
from channels_app.push.run import account_push_dirty
from channels_app.services.accounts import AccountError, account_create
from channels_app.services.onboarding import account_listings_import
from inventory_app.models import Order
from inventory_app.services.stock import stock_receive
from tests.channels_app.helpers import webhook_post
from tests.factories import LocationFactory, SKUFactory, UserFactory

pytestmark = pytest.mark.django_db


class TinyConnector(Connector, ConfirmsFulfilment):
    """A channel with the required hooks, absolute quantities and shipment confirmations only."""

    kind = "tinyshop"
    label = "Tiny shop"
    quantity_mode = "set"
    rate_limit = dto.RateLimit(per_second=50.0, burst=5)
    credentials = (Credential("api_key", "Sent as a Bearer token."),)
    options = (
        Option("page_size", "int", "Items per page.", default=100),
        Option("region", "str", "API region.", default="us", choices=("us", "eu")),
    )

    def _call(self, method: str, path: str, **kwargs: Any) -> dict:
        headers = {"Authorization": f"Bearer {self.config.credentials.get('api_key', '')}"}
        data = self.http.request_json(method, path, headers=headers, **kwargs)
        if not isinstance(data, dict):
            raise ConnectorError(f"{method} {path}: unexpected answer")
        return data

    def _params(self, cursor: str | None) -> dict[str, Any]:
        params: dict[str, Any] = {"limit": int(self.config.options.get("page_size", 100))}
        if cursor:
            params["cursor"] = cursor
        return params

    def listings_fetch(self, *, cursor: str | None) -> dto.ListingPage:
        data = self._call("GET", "listings", params=self._params(cursor))
        return dto.ListingPage(
            [listing_from_json(item) for item in data["listings"]], data.get("next_cursor")
        )

    def orders_fetch_changed(self, *, since: datetime | None, cursor: str | None) -> dto.OrderPage:
        params = self._params(cursor)
        if since is not None:
            params["updated_since"] = since.isoformat()
        data = self._call("GET", "orders", params=params)
        return dto.OrderPage([order_from_json(o) for o in data["orders"]], data.get("next_cursor"))

    def quantities_fetch(self, *, listings: Sequence[dto.ListingRef]) -> dict[str, int]:
        data = self._call("POST", "quantities/read", json={"ids": [ref.external_id for ref in listings]})
        return {str(k): int(v) for k, v in data["quantities"].items()}

    def quantities_push(self, *, updates: Sequence[dto.QuantityUpdate]) -> list[dto.PushResult]:
        items = [
            {"id": u.listing.external_id, "quantity": u.quantity, "key": u.idempotency_key} for u in updates
        ]
        data = self._call("POST", "quantities", json={"updates": items})
        return [
            dto.PushResult(
                str(row["id"]), "ok" if row["status"] == "ok" else "error", error=str(row["status"])
            )
            for row in data["results"]
        ]

    def fulfilment_push(self, *, fulfilment: dto.FulfilmentDTO) -> None:
        body = {"order_id": fulfilment.order_external_id, "lines": dict(fulfilment.lines),
                "carrier": fulfilment.carrier, "tracking_number": fulfilment.tracking_number,
                "key": fulfilment.idempotency_key}  # fmt: skip
        self._call("POST", "fulfilments", json=body)


@pytest.fixture(autouse=True)
def tinyshop_registered(monkeypatch):
    """Step 5 for these tests only: the kind is in the registry until the test ends."""
    monkeypatch.setitem(registry.CONNECTORS._classes, "tinyshop", TinyConnector)
    registry.connector_register(TinyConnector)  # the decorator, on the entry the fixture removes


def _account(shop, **options):
    return account_create(
        kind="tinyshop", name="Tiny", base_url=shop.base_url, credentials={"api_key": shop.api_key},
        options=options,
    )  # fmt: skip


def test_the_engine_imports_pushes_polls_and_confirms_through_its_hooks_only(shops, client, on_commit):
    shop = shops()
    shop.listing_add("L1", sku="S1", quantity=0)
    location = LocationFactory(code="A")
    stock_receive(sku=SKUFactory(code="S1"), location=location, quantity=7)
    account = _account(shop, page_size=10)
    account.locations.set([location])

    imported = account_listings_import(account=account)
    account_orders_sync(account_id=account.pk)  # "set": an increase waits for the channel's orders
    pushed = account_push_dirty(account_id=account.pk)
    shop.buy("L1", 2)
    with on_commit(execute=True):
        polled = account_orders_sync(account_id=account.pk)
    order = Order.objects.get()
    sent = order_fulfilment_push(
        order_id=order.pk, quantities={line.pk: line.quantity for line in order.lines.all()},
        carrier="UPS", tracking_number="1Z", idempotency_key="f-1",
    )  # fmt: skip

    assert capabilities_of(TinyConnector) == ["ConfirmsFulfilment"]
    assert imported["linked"] == 1 and (pushed.held, pushed.pushed) == (0, 1)
    assert shop.quantity_history["L1"][:3] == [0, 7, 5]
    assert polled["applied"] == 1 and order.external_ref == "O1"
    assert sent.sent and shop.fulfilments[0]["tracking_number"] == "1Z"
    # What it lacks the engine does not call: it refuses or explains instead, and changes nothing.
    refused = webhook_post(client, account, b"{}", {})
    assert refused.status_code == 401 and not InboundEvent.objects.filter(source="webhook").exists()
    with pytest.raises(AccountError, match="no webhook API"):
        account_webhooks_register(account_id=account.pk, base_url="https://stock.example.com")
    assert account_notifications_configured(account=account) is False
    notice = order_cancelled_listener(order)
    assert notice is not None and notice.action_needed and "cancel order O1 on Tiny yourself" in notice.text
    assert ChannelAccount.objects.get().webhooks_url == ""
    assert {route for _, route in shop.requests} == {
        "GET listings", "POST quantities", "GET orders", "POST fulfilments"
    }  # fmt: skip


def test_the_api_validates_its_options_from_the_declaration(api_client, shops):
    shop = shops()
    manager = api_client("manager")

    def create(options):
        body = {"kind": "tinyshop", "name": "Tiny", "base_url": shop.base_url,
                "credentials": {"api_key": "k"}, "options": options}  # fmt: skip
        return manager.post("/api/v1/channel-accounts/", body, format="json")

    unknown, wrong_type, not_a_choice = (
        create({"colour": "red"}),
        create({"page_size": "ten"}),
        create({"region": "mars"}),
    )
    created = create({"page_size": 5, "region": "eu"})
    account_id = created.json()["id"]
    updated_wrong = manager.patch(
        f"/api/v1/channel-accounts/{account_id}/", {"options": {"page_size": 2.5}}, format="json"
    )

    assert (unknown.status_code, wrong_type.status_code, not_a_choice.status_code) == (400, 400, 400)
    assert "unknown option 'colour'" in unknown.content.decode()
    assert "option 'page_size' must be of type int, not str" in wrong_type.content.decode()
    assert "option 'region' must be one of 'us', 'eu', not 'mars'" in not_a_choice.content.decode()
    assert created.status_code == 201 and ChannelAccount.objects.count() == 1
    assert (
        updated_wrong.status_code == 400
        and "must be of type int, not float" in updated_wrong.content.decode()
    )
    assert ChannelAccount.objects.get().options == {"page_size": 5, "region": "eu"}


def test_the_admin_form_validates_and_lists_its_options(client, shops):
    client.force_login(UserFactory(role="manager"))
    shop = shops()
    form = {"kind": "tinyshop", "name": "Tiny", "base_url": shop.base_url, "enabled": "on", "buffer": 0,
            "percentage": 100, "min_published": 0, "poll_interval_seconds": 120, "oversell_risk_percent": "1",
            "credentials_json": '{"api_key": "k"}'}  # fmt: skip

    refused = client.post("/admin/channels_app/channelaccount/add/", {**form, "options": '{"page_sise": 5}'})
    page = client.get("/admin/channels_app/channelaccount/add/")
    added = client.post("/admin/channels_app/channelaccount/add/", {**form, "options": '{"page_size": 5}'})

    assert refused.status_code == 200 and "unknown option &#x27;page_sise&#x27;" in refused.content.decode()
    assert (
        "tinyshop: page_size (int, default 100), region (str, default &#x27;us&#x27;)"
        in page.content.decode()
    )
    assert added.status_code == 302 and ChannelAccount.objects.get().options == {"page_size": 5}


def test_its_readme_table_comes_from_the_declaration():
    table = options_table(options=TinyConnector.options, credentials=TinyConnector.credentials)

    assert table.splitlines() == [
        "| Credential | Secret | Modes | Meaning |",
        "|---|---|---|---|",
        "| `api_key` | yes | all | Sent as a Bearer token. |",
        "",
        "| Option | Type | Default | Meaning |",
        "|---|---|---|---|",
        "| `page_size` | int | `100` | Items per page. |",
        "| `region` | str | `'us'` | API region. One of `'us'`, `'eu'`. |",
    ]
    readme = readme_with_table(readme="# Tiny shop\n", table=table)
    assert readme_with_table(readme=readme + "\nMore.\n", table=table) == readme + "\nMore.\n"
    assert readme_with_table(readme=readme, table="new") != readme
