"""A fake Shippo on 127.0.0.1, checking what the real API checks.

``Authorization: ShippoToken <token>`` (else 401 ``{"detail": ...}``); POST /shipments refuses a
missing address or parcel field with a field-keyed 400 (``{"address_to": {"zip": ["This field is
required."]}}``) and answers synchronously with rates; POST /transactions buys the label for a
rate (400 for a missing or unknown rate) and returns tracking and a label URL served by the fake
(GET /labels/<id>.pdf); GET /transactions filters by ``rate`` and pages with ``page``/``results``
into ``{count, next, previous, results}``. Faults: ``fault(route, 429, headers={"Retry-After":
"1"})``; ``lose_next_purchase_answer()`` buys the label and then answers 502, as a timeout after
the purchase would look to the client. ``purchases`` counts labels really bought. With a
``webhook_secret``, ``signed_delivery()`` signs webhook bodies as Shippo's HMAC option does.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import math
import time
from datetime import UTC, datetime
from decimal import Decimal

from config.sandbox.shipstation.scaffold import Answer, FakeVendor, Request

ADDRESS_REQUIRED = ("name", "street1", "city", "zip", "country")
PARCEL_REQUIRED = ("length", "width", "height", "distance_unit", "weight", "mass_unit")
SERVICES = [
    # provider, service name, token, base amount, per-kg amount, days
    ("USPS", "Ground Advantage", "usps_ground_advantage", Decimal("4.85"), Decimal("1.10"), 5),
    ("USPS", "Priority Mail", "usps_priority", Decimal("7.90"), Decimal("1.40"), 2),
    ("UPS", "Ground", "ups_ground", Decimal("9.15"), Decimal("0.95"), 4),
]
GRAMS = {"g": Decimal("1"), "kg": Decimal("1000"), "oz": Decimal("28.3495"), "lb": Decimal("453.592")}


def _now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class FakeShippo(FakeVendor):
    """The fake Shippo account: shipments with rates, transactions (labels)."""

    def __init__(self, *, token: str = "shippo_test_token", webhook_secret: str = ""):
        super().__init__()
        self.token = token
        self.webhook_secret = webhook_secret
        self.shipments: dict[str, dict] = {}
        self.rates: dict[str, dict] = {}
        self.transactions: dict[str, dict] = {}
        self._ids = itertools.count(1)
        self._lose_answers = 0
        self.webhooks: list[dict] = []

    @property
    def purchases(self) -> int:
        with self.lock:
            return len(self.transactions)

    def lose_next_purchase_answer(self) -> None:
        """The next POST /transactions buys the label but the client gets a 502."""
        with self.lock:
            self._lose_answers += 1

    def _id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):08d}" + "a" * 20

    def handle(self, request: Request) -> Answer:
        path = request.path.rstrip("/")
        if path.startswith("/labels/"):
            name = path.rsplit("/", 1)[1]
            return Answer(
                200, raw=f"%PDF-1.4\n% fake label {name}\n".encode(), content_type="application/pdf"
            )
        if request.headers.get("authorization") != f"ShippoToken {self.token}":
            return Answer(401, {"detail": "Invalid token."})
        with self.lock:
            if request.method == "POST" and path == "/shipments":
                return self._shipment_create(request)
            if request.method == "POST" and path == "/transactions":
                return self._transaction_create(request)
            if request.method == "GET" and path == "/webhooks":
                return Answer(200, {"next": None, "previous": None, "results": list(self.webhooks)})
            if request.method == "POST" and path == "/webhooks":
                body = request.json() or {}
                if not body.get("url") or not body.get("event"):
                    return Answer(
                        400, {k: ["This field is required."] for k in ("url", "event") if not body.get(k)}
                    )
                hook = {
                    "object_id": self._id("whk"),
                    "url": body["url"],
                    "event": body["event"],
                    "active": body.get("active", True),
                    "is_test": body.get("is_test", False),
                    "object_created": _now(),
                }
                self.webhooks.append(hook)
                return Answer(201, hook)
            if request.method == "GET" and path == "/transactions":
                return self._transactions_list(request)
            if request.method == "GET" and path.startswith("/transactions/"):
                found = self.transactions.get(path.rsplit("/", 1)[1])
                return Answer(200, found) if found else Answer(404, {"detail": "Not found."})
        return Answer(404, {"detail": "Not found."})

    def _shipment_create(self, request: Request) -> Answer:
        try:
            body = request.json()
        except ValueError:
            return Answer(400, {"detail": "JSON parse error"})
        errors: dict = {}
        for key in ("address_from", "address_to"):
            address = body.get(key)
            if not isinstance(address, dict):
                errors[key] = ["This field is required."]
                continue
            missing = {f: ["This field is required."] for f in ADDRESS_REQUIRED if not address.get(f)}
            if missing:
                errors[key] = missing
        parcels = body.get("parcels")
        if not isinstance(parcels, list) or not parcels:
            errors["parcels"] = ["This field is required."]
        else:
            missing = {f: ["This field is required."] for f in PARCEL_REQUIRED if not parcels[0].get(f)}
            if missing:
                errors["parcels"] = [missing]
            elif parcels[0]["mass_unit"] not in GRAMS:
                errors["parcels"] = [{"mass_unit": ["Invalid choice."]}]
        if errors:
            return Answer(400, errors)
        parcel = parcels[0]
        kg = Decimal(str(parcel["weight"])) * GRAMS[parcel["mass_unit"]] / 1000
        shipment_id = self._id("shp")
        rates = []
        for provider, name, token, base, per_kg, days in SERVICES:
            rate = {
                "object_id": self._id("rate"),
                "object_created": _now(),
                "shipment": shipment_id,
                "amount": str((base + per_kg * Decimal(math.ceil(kg))).quantize(Decimal("0.01"))),
                "currency": "USD",
                "amount_local": None,
                "currency_local": "USD",
                "provider": provider,
                "servicelevel": {"name": name, "token": token, "terms": ""},
                "estimated_days": days,
                "duration_terms": "",
                "carrier_account": "078870331023437cb917f5187429b093",
                "attributes": [],
                "messages": [],
                "test": True,
            }
            rate["amount_local"] = rate["amount"]
            self.rates[rate["object_id"]] = rate
            rates.append(rate)
        shipment = {
            "object_id": shipment_id,
            "object_created": _now(),
            "object_updated": _now(),
            "object_owner": "shippotle@shippo.com",
            "status": "SUCCESS",
            "address_from": body["address_from"],
            "address_to": body["address_to"],
            "parcels": parcels,
            "rates": rates,
            "messages": [],
            "metadata": body.get("metadata", ""),
            "test": True,
        }
        self.shipments[shipment_id] = shipment
        return Answer(201, shipment)

    def _transaction_create(self, request: Request) -> Answer:
        try:
            body = request.json()
        except ValueError:
            return Answer(400, {"detail": "JSON parse error"})
        rate_id = body.get("rate") if isinstance(body, dict) else None
        if not rate_id:
            return Answer(400, {"rate": ["This field is required."]})
        rate = self.rates.get(rate_id)
        if rate is None:
            return Answer(400, {"rate": [f"Rate with object_id {rate_id} does not exist."]})
        transaction_id = self._id("txn")
        tracking = f"92055901755477{next(self._ids):08d}"
        transaction = {
            "object_id": transaction_id,
            "object_created": _now(),
            "object_updated": _now(),
            "object_owner": "shippotle@shippo.com",
            "object_state": "VALID",
            "status": "SUCCESS",
            "rate": rate_id,
            "tracking_number": tracking,
            "tracking_status": "UNKNOWN",
            "tracking_url_provider": f"https://tools.usps.com/go/TrackConfirmAction_input?origTrackNum={tracking}",
            "label_url": f"{self.base_url}/labels/{transaction_id}.pdf",
            "label_file_type": body.get("label_file_type") or "PDF",
            "commercial_invoice_url": None,
            "messages": [],
            "metadata": body.get("metadata", ""),
            "test": True,
        }
        self.transactions[transaction_id] = transaction
        if self._lose_answers:
            self._lose_answers -= 1
            return Answer(502, {"detail": "Bad gateway"})
        return Answer(201, transaction)

    def _transactions_list(self, request: Request) -> Answer:
        items = list(self.transactions.values())
        if request.query.get("rate"):
            items = [t for t in items if t["rate"] == request.query["rate"]]
        if request.query.get("object_status"):
            items = [t for t in items if t["status"] == request.query["object_status"]]
        page = max(int(request.query.get("page", 1)), 1)
        size = min(max(int(request.query.get("results", 25)), 1), 100)
        chunk = items[(page - 1) * size : page * size]
        base = f"{self.base_url}/transactions/?results={size}"
        if request.query.get("rate"):
            base += f"&rate={request.query['rate']}"
        return Answer(
            200,
            {
                "count": len(items),
                "next": f"{base}&page={page + 1}" if page * size < len(items) else None,
                "previous": f"{base}&page={page - 1}" if page > 1 else None,
                "results": chunk,
            },
        )

    def signed_delivery(self, payload: dict, *, at: float | None = None) -> tuple[bytes, dict[str, str]]:
        """The raw body and headers Shippo POSTs for ``payload``: with a webhook secret, the
        ``Shippo-Auth-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`` header,
        computed here from the documented scheme (not with the client's code)."""
        body = json.dumps(payload).encode()
        headers = {"Content-Type": "application/json"}
        if self.webhook_secret:
            stamp = str(int(time.time() if at is None else at))
            digest = hmac.new(self.webhook_secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256)
            headers["Shippo-Auth-Signature"] = f"t={stamp},v1={digest.hexdigest()}"
        return body, headers

    def track_webhook(self, tracking_number: str, status: str, *, details: str = "", date: str = "") -> dict:
        """The body Shippo POSTs for a track_updated event."""
        with self.lock:
            transaction = next(
                (t for t in self.transactions.values() if t["tracking_number"] == tracking_number), None
            )
        return {
            "event": "track_updated",
            "test": True,
            "data": {
                "messages": [],
                "carrier": "usps",
                "tracking_number": tracking_number,
                "address_from": {"city": "San Francisco", "state": "CA", "zip": "94103", "country": "US"},
                "address_to": {"city": "Austin", "state": "TX", "zip": "78701", "country": "US"},
                "eta": None,
                "original_eta": None,
                "servicelevel": {"token": "usps_priority", "name": "Priority Mail"},
                "metadata": None,
                "tracking_status": {
                    "object_created": _now(),
                    "object_updated": _now(),
                    "object_id": self._id("trk"),
                    "status": status,
                    "status_details": details,
                    "status_date": date or _now(),
                    "location": {"city": "Austin", "state": "TX", "zip": "78701", "country": "US"},
                },
                "tracking_history": [],
                "transaction": transaction["object_id"] if transaction else None,
            },
        }
