"""A fake ShipStation V1 (ssapi) on 127.0.0.1, checking what the real one checks.

Basic auth with API key and secret (else 401); 40 requests per rolling minute per key pair with
``X-Rate-Limit-Limit/-Remaining/-Reset`` on every answer and 429 past the limit; POST
/orders/createorder upserts by ``orderKey`` (or ``orderId``) and refuses a body missing a required
field with an ASP.NET-style ``{"Message", "ModelState"}`` 400; GET /orders and GET /shipments page
with ``page``/``pageSize`` and answer ``{orders|shipments, total, page, pages}``; shipments filter
by ``batchId``, ``orderNumber``, ``createDateStart`` (Pacific, no offset, as V1 writes dates) and
carry ``shipmentItems`` only with ``includeShipmentItems=true``. ``ship()`` plays a user buying a
label in ShipStation and returns the SHIP_NOTIFY body ShipStation would POST.

    with FakeShipStation(api_key="k", api_secret="s") as ss:
        body = ss.ship("sm-1", items=[("12", 1)], tracking="9400...")
"""

from __future__ import annotations

import base64
import itertools
import math
import time
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from config.sandbox.shipstation.scaffold import Answer, FakeVendor, Request

PACIFIC = ZoneInfo("America/Los_Angeles")
REQUIRED_ORDER_FIELDS = ("orderNumber", "orderDate", "orderStatus", "billTo", "shipTo")
ORDER_STATUSES = {
    "awaiting_payment",
    "awaiting_shipment",
    "pending_fulfillment",
    "shipped",
    "on_hold",
    "cancelled",
}


def _pacific_now() -> datetime:
    return datetime.now(UTC).astimezone(PACIFIC).replace(tzinfo=None)


def _fmt(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%S.0000000")


class FakeShipStation(FakeVendor):
    """The fake ShipStation account: orders, shipments, a per-minute request budget."""

    def __init__(self, *, api_key: str = "ss-key", api_secret: str = "ss-secret", per_minute: int = 40):
        super().__init__()
        self.api_key, self.api_secret = api_key, api_secret
        self.per_minute = per_minute
        self.window: list[float] = []
        self.orders: dict[int, dict] = {}
        self.shipments: dict[int, dict] = {}
        self._ids = itertools.count(1000)
        self._batch = itertools.count(500)
        self.webhooks: list[dict] = []

    # -- protocol
    def _rate(self) -> tuple[int, int]:
        now = time.monotonic()
        self.window = [t for t in self.window if now - t < 60]
        reset = 60 - (now - self.window[0]) if self.window else 60
        return max(self.per_minute - len(self.window), 0), max(math.ceil(reset), 0)

    def decorate(self, request: Request, answer: Answer) -> Answer:
        with self.lock:
            remaining, reset = self._rate()
        answer.headers.setdefault("X-Rate-Limit-Limit", str(self.per_minute))
        answer.headers.setdefault("X-Rate-Limit-Remaining", str(remaining))
        answer.headers.setdefault("X-Rate-Limit-Reset", str(reset))
        return answer

    def handle(self, request: Request) -> Answer:
        expected = base64.b64encode(f"{self.api_key}:{self.api_secret}".encode()).decode()
        if request.headers.get("authorization") != f"Basic {expected}":
            return Answer(401, raw=b"401 Unauthorized", content_type="text/plain")
        with self.lock:
            remaining, reset = self._rate()
            if remaining <= 0:
                return Answer(429, {"message": "Too Many Requests"}, {"X-Rate-Limit-Reset": str(reset)})
            self.window.append(time.monotonic())
            if request.route == "POST /orders/createorder":
                return self._order_upsert(request)
            if request.route == "GET /orders":
                return self._list("orders", list(self.orders.values()), request, {})
            if request.route == "GET /shipments":
                return self._shipments(request)
            if request.route == "GET /webhooks":
                return Answer(200, {"webhooks": list(self.webhooks)})
            if request.route == "POST /webhooks/subscribe":
                return self._subscribe(request)
        return Answer(404, {"Message": f"No HTTP resource was found that matches {request.path}"})

    def _order_upsert(self, request: Request) -> Answer:
        try:
            body = request.json()
        except ValueError:
            return Answer(400, {"Message": "The request is invalid."})
        missing = [f for f in REQUIRED_ORDER_FIELDS if not (isinstance(body, dict) and body.get(f))]
        if missing:
            return Answer(
                400,
                {
                    "Message": "The request is invalid.",
                    "ModelState": {f"apiOrder.{f}": [f"The {f} field is required."] for f in missing},
                },
            )
        if body["orderStatus"] not in ORDER_STATUSES:
            return Answer(
                400, {"Message": "The request is invalid.", "ModelState": {"apiOrder.orderStatus": ["bad"]}}
            )
        existing = None
        if body.get("orderId") in self.orders:
            existing = self.orders[body["orderId"]]
        elif body.get("orderKey"):
            existing = next((o for o in self.orders.values() if o["orderKey"] == body["orderKey"]), None)
        if existing is not None and existing["orderStatus"] == "shipped":
            return Answer(400, {"Message": "The request is invalid.", "ExceptionMessage": "Order is shipped"})
        order_id = existing["orderId"] if existing else next(self._ids)
        now = _fmt(_pacific_now())
        order = {
            **(existing or {"createDate": now}),
            **body,
            "orderId": order_id,
            "orderKey": body.get("orderKey") or f"auto-{order_id}",
            "modifyDate": now,
            "items": [
                {**item, "orderItemId": n, "createDate": now}
                for n, item in enumerate(body.get("items") or [], 1)
            ],
        }
        self.orders[order_id] = order
        return Answer(200, order)

    def _subscribe(self, request: Request) -> Answer:
        body = request.json() or {}
        events = {"ORDER_NOTIFY", "ITEM_ORDER_NOTIFY", "SHIP_NOTIFY", "ITEM_SHIP_NOTIFY"}
        if not body.get("target_url") or body.get("event") not in events:
            return Answer(400, {"message": "Invalid request parameters"})
        hook = {
            "IsLabelAPIHook": False,
            "WebHookID": next(self._ids),
            "StoreID": body.get("store_id"),
            "HookType": body["event"],
            "MessageFormat": "Json",
            "Url": body["target_url"],
            "Name": body.get("friendly_name") or "",
            "Active": True,
        }
        self.webhooks.append(hook)
        return Answer(200, {k: hook[k] for k in ("WebHookID", "HookType", "Url", "Name")})

    def _list(self, name: str, items: list[dict], request: Request, extra: dict) -> Answer:
        try:
            page = max(int(request.query.get("page", 1)), 1)
            size = min(max(int(request.query.get("pageSize", 100)), 1), 500)
        except ValueError:
            return Answer(400, {"Message": "The request is invalid."})
        pages = math.ceil(len(items) / size) if items else 0
        return Answer(
            200,
            {name: items[(page - 1) * size : page * size], "total": len(items), "page": page, "pages": pages},
        )

    def _shipments(self, request: Request) -> Answer:
        q = request.query
        items = sorted(self.shipments.values(), key=lambda s: (s["createDate"], s["shipmentId"]))
        if q.get("batchId"):
            items = [s for s in items if str(s["batchNumber"]) == q["batchId"]]
        if q.get("orderNumber"):
            items = [s for s in items if s["orderNumber"] == q["orderNumber"]]
        if q.get("createDateStart"):
            start = datetime.fromisoformat(q["createDateStart"].replace(" ", "T"))
            items = [s for s in items if datetime.fromisoformat(s["createDate"][:19]) >= start]
        if q.get("sortDir", "ASC").upper() == "DESC":
            items.reverse()
        with_items = q.get("includeShipmentItems", "false").lower() == "true"
        items = [{**s, "shipmentItems": s["shipmentItems"] if with_items else None} for s in items]
        return self._list("shipments", items, request, {})

    # -- playing the user
    def ship(
        self,
        order_key: str,
        *,
        items: list[tuple[str, int]] | None = None,
        carrier: str = "usps",
        service: str = "usps_priority_mail",
        tracking: str = "9400111899223100000001",
        cost: float = 7.25,
        created: datetime | None = None,
    ) -> dict:
        """Buy a label for the order (``items``: (lineItemKey, qty), None: every item); return the
        SHIP_NOTIFY body ShipStation would POST to the subscribed URL.
        """
        with self.lock:
            order = next(o for o in self.orders.values() if o["orderKey"] == order_key)
            chosen = items or [(i["lineItemKey"], i["quantity"]) for i in order["items"]]
            by_key = {i["lineItemKey"]: i for i in order["items"]}
            shipment_id, batch = next(self._ids), next(self._batch)
            stamp = created.astimezone(PACIFIC).replace(tzinfo=None) if created else _pacific_now()
            self.shipments[shipment_id] = {
                "shipmentId": shipment_id,
                "orderId": order["orderId"],
                "orderKey": order["orderKey"],
                "userId": "c9f06d74-95de-4263-9b04-e87095cababf",
                "orderNumber": order["orderNumber"],
                "createDate": _fmt(stamp),
                "shipDate": stamp.strftime("%Y-%m-%d"),
                "shipmentCost": cost,
                "insuranceCost": 0,
                "trackingNumber": tracking,
                "isReturnLabel": False,
                "batchNumber": str(batch),
                "carrierCode": carrier,
                "serviceCode": service,
                "packageCode": "package",
                "confirmation": "delivery",
                "warehouseId": 1,
                "voided": False,
                "voidDate": None,
                "marketplaceNotified": False,
                "shipTo": order.get("shipTo"),
                "shipmentItems": [
                    {
                        "orderItemId": by_key[key].get("orderItemId"),
                        "lineItemKey": key,
                        "sku": by_key[key].get("sku"),
                        "name": by_key[key].get("name"),
                        "quantity": qty,
                        "unitPrice": by_key[key].get("unitPrice"),
                    }
                    for key, qty in chosen
                ],
            }
            shipped = sum(q for _, q in chosen) >= sum(i["quantity"] for i in order["items"])
            order["orderStatus"] = "shipped" if shipped else order["orderStatus"]
        return {
            "resource_url": (
                f"{self.base_url}/shipments?storeID=10001&batchId={batch}&includeShipmentItems=False"
            ),
            "resource_type": "SHIP_NOTIFY",
        }

    def order_by_key(self, order_key: str) -> dict | None:
        with self.lock:
            return next((o for o in self.orders.values() if o["orderKey"] == order_key), None)
