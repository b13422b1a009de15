"""Helpers for tests that talk to the fake Amazon over HTTP (the fake's own tests and connector tests).

`SpApiCaller` is a bare SP-API client that validates every answer (and every accepted request)
against Amazon's models when ../shared/specs is present, so a fake that drifts from Amazon's
contract fails loudly.
"""

from __future__ import annotations

import json
from typing import Any

import requests

from . import specs
from .server import FakeAmazon
from .state import US_MARKETPLACE, Order, OrderItem

MARKETPLACE = US_MARKETPLACE
MODEL_OF = {
    "getOrders": "orders",
    "getOrder": "orders",
    "getOrderItems": "orders",
    "confirmShipment": "orders",
    "getListingsItem": "listings",
    "searchListingsItems": "listings",
    "patchListingsItem": "listings",
    "createFeedDocument": "feeds",
    "createFeed": "feeds",
    "getFeed": "feeds",
    "cancelFeed": "feeds",
    "getFeedDocument": "feeds",
}
JSON_CONTENT = "application/json; charset=UTF-8"


class SpApiCaller:
    """Calls the fake's SP-API paths with an access token; validates against the models when present."""

    def __init__(self, fake: FakeAmazon, token: str | None, *, validate: bool | None = None) -> None:
        self.fake = fake
        self.token = token
        self.validate = specs.specs_dir() is not None if validate is None else validate
        self.validated = 0

    def call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: Any = None,
        body: Any = None,
        token: Any = ...,
    ) -> requests.Response:
        """One request; `token=None` sends no x-amz-access-token, a string sends that one."""
        chosen = self.token if token is ... else token
        headers = {"x-amz-access-token": chosen} if chosen else {}
        response = requests.request(
            method, self.fake.base_url + path, params=params, json=body, headers=headers, timeout=10
        )
        if self.validate and operation in MODEL_OF:  # no Reports model is vendored
            model = specs.model(MODEL_OF[operation])
            parsed = response.json() if response.content else None
            model.validate_response(operation, response.status_code, parsed, response.headers)
            if response.status_code < 300:
                model.validate_request(operation, query=params, body=body)
            self.validated += 1
        return response

    def get_orders(self, **params: str) -> requests.Response:
        """getOrders in the default marketplace."""
        query = {"MarketplaceIds": MARKETPLACE, **params}
        return self.call("getOrders", "GET", "/orders/v0/orders", params=query)

    def listing_path(self, sku: str) -> str:
        """/listings/2021-08-01/items/{sellerId}/{sku}."""
        return f"/listings/2021-08-01/items/{self.fake.config.seller_id}/{sku}"

    def patch_quantity(self, sku: str, quantity: Any, **params: str) -> requests.Response:
        """patchListingsItem replacing fulfillment_availability with a DEFAULT quantity."""
        body = {
            "productType": "PRODUCT",
            "patches": [
                {
                    "op": "replace",
                    "path": "/attributes/fulfillment_availability",
                    "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": quantity}],
                }
            ],
        }
        query = {"marketplaceIds": MARKETPLACE, **params}
        return self.call("patchListingsItem", "PATCH", self.listing_path(sku), params=query, body=body)


def lwa_refresh(fake: FakeAmazon, **overrides: str) -> requests.Response:
    """POST the refresh-token grant to the fake's Login with Amazon endpoint."""
    form = {
        "grant_type": "refresh_token",
        "refresh_token": fake.config.refresh_token,
        "client_id": fake.config.client_id,
        "client_secret": fake.config.client_secret,
        **overrides,
    }
    return requests.post(fake.lwa_url, data=form, timeout=10)


def listings_feed(seller_id: str, quantities: dict[str, int]) -> dict:
    """A JSON_LISTINGS_FEED of PATCH messages setting DEFAULT quantities, message ids from 1."""
    return {
        "header": {"sellerId": seller_id, "version": "2.0", "issueLocale": "en_US"},
        "messages": [
            {
                "messageId": n,
                "sku": sku,
                "operationType": "PATCH",
                "productType": "PRODUCT",
                "patches": [
                    {
                        "op": "replace",
                        "path": "/attributes/fulfillment_availability",
                        "value": [{"fulfillment_channel_code": "DEFAULT", "quantity": qty}],
                    }
                ],
            }
            for n, (sku, qty) in enumerate(quantities.items(), start=1)
        ],
    }


def submit_feed(caller: SpApiCaller, document: dict, content_type: str = JSON_CONTENT) -> str:
    """createFeedDocument → PUT to the presigned URL → createFeed; returns the feedId."""
    created = caller.call(
        "createFeedDocument", "POST", "/feeds/2021-06-30/documents", body={"contentType": content_type}
    )
    assert created.status_code == 201, created.text
    upload = requests.put(
        created.json()["url"],
        data=json.dumps(document).encode(),
        headers={"Content-Type": content_type},
        timeout=10,
    )
    assert upload.status_code == 200, upload.text
    feed = caller.call(
        "createFeed",
        "POST",
        "/feeds/2021-06-30/feeds",
        body={
            "feedType": "JSON_LISTINGS_FEED",
            "marketplaceIds": [MARKETPLACE],
            "inputFeedDocumentId": created.json()["feedDocumentId"],
        },
    )
    assert feed.status_code == 202, feed.text
    return feed.json()["feedId"]


def shipment_confirmation(order: Order, lines: list[tuple[OrderItem, int]], **detail: Any) -> dict:
    """A ConfirmShipmentRequest body shipping `lines` ((item, quantity) pairs) by UPS."""
    return {
        "marketplaceId": order.marketplace_id,
        "packageDetail": {
            "packageReferenceId": "1",
            "carrierCode": "UPS",
            "trackingNumber": "1Z999",
            "shipDate": "2026-01-15T13:00:00Z",
            "orderItems": [{"orderItemId": i.order_item_id, "quantity": q} for i, q in lines],
            **detail,
        },
    }
