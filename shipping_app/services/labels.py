"""Labels bought here (Shippo): draft a shipment from an order, rate it, buy exactly one label,
store it, record the shipment; apply tracking updates.

Buying is the one step that spends money, so it is guarded three ways: one LabelPurchase row per
shipment (one-to-one), committed as ``started`` with a short claim before the vendor is called
(a concurrent attempt is refused meanwhile), and any later attempt on a ``started`` purchase first
asks the vendor for a transaction already bought for that rate and adopts it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth.models import AbstractBaseUser
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from inventory_app.models import SKU, Order, OrderLine
from shipping_app.errors import ShippingError
from shipping_app.models import (
    LabelPurchase,
    LabelPurchaseState,
    Shipment,
    ShipmentEvent,
    ShipmentLine,
    ShipmentRate,
    ShipmentStatus,
    ShippingAccount,
)
from shipping_app.providers.base import LabelBuyer, ProviderError, RetryableProviderError
from shipping_app.providers.dto import LabelDTO, ParcelDTO, ShipmentDTO, TrackingUpdateDTO
from shipping_app.services.accounts import shipping_account_provider
from shipping_app.services.exports import order_export_dto
from shipping_app.services.shipments import shipment_record

CLAIM = timedelta(seconds=120)
DEFAULT_PARCEL = {"length": "20", "width": "15", "height": "10", "distance_unit": "cm"}
TRACKING_STATUS = {
    "pre_transit": ShipmentStatus.SHIPPED,
    "in_transit": ShipmentStatus.IN_TRANSIT,
    "delivered": ShipmentStatus.DELIVERED,
    "returned": ShipmentStatus.RETURNED,
    "failure": ShipmentStatus.FAILURE,
}


@dataclass(frozen=True)
class RateRule:
    """Which rates may be bought automatically: the cheapest one matching every given condition."""

    carriers: Sequence[str] = ()
    service_contains: str = ""
    max_days: int | None = None
    max_amount: Decimal | None = None

    def matches(self, rate: ShipmentRate) -> bool:
        """Whether ``rate`` passes every condition."""
        if self.carriers and rate.carrier.lower() not in {c.lower() for c in self.carriers}:
            return False
        if self.service_contains and self.service_contains.lower() not in rate.service_name.lower():
            return False
        if self.max_days is not None and (rate.estimated_days is None or rate.estimated_days > self.max_days):
            return False
        return self.max_amount is None or rate.amount <= self.max_amount


def _buyer(account: ShippingAccount) -> LabelBuyer:
    provider = shipping_account_provider(account=account)
    if not isinstance(provider, LabelBuyer):
        raise ShippingError(f"{account.provider} does not sell labels")
    return provider


def shipment_draft_create(
    *,
    account: ShippingAccount,
    order: Order,
    quantities: Mapping[int, int] | None = None,
    parcel: Mapping[str, str] | None = None,
) -> Shipment:
    """Create a shipment at the label service for ``quantities`` (line id -> units; None: all open)
    and store its rates. Weight is the lines' SKU weights; dimensions from ``parcel`` or the
    account's ``options["parcel"]``. Raises ShippingError (nothing open, bad line) or ProviderError.
    """
    provider = _buyer(account)
    lines = {line.pk: line for line in OrderLine.objects.filter(order=order)}
    if quantities is None:
        quantities = {pk: line.quantity_open for pk, line in lines.items() if line.quantity_open > 0}
    if not quantities:
        raise ShippingError("Nothing left to ship on this order")
    for pk, qty in quantities.items():
        if pk not in lines or qty <= 0 or qty > lines[pk].quantity_open:
            raise ShippingError(f"Line {pk}: cannot ship {qty} unit(s)")
    weights = dict(
        SKU.objects.filter(pk__in=[lines[pk].sku_id for pk in quantities if lines[pk].sku_id]).values_list(
            "pk", "weight_grams"
        )
    )
    grams = sum(Decimal(weights.get(lines[pk].sku_id) or 0) * qty for pk, qty in quantities.items())
    if grams <= 0:
        raise ShippingError("The SKUs have no weight: set weight_grams before buying a label")
    dims = {**DEFAULT_PARCEL, **dict(account.options.get("parcel") or {}), **dict(parcel or {})}
    parcel_dto = ParcelDTO(
        length=Decimal(str(dims["length"])),
        width=Decimal(str(dims["width"])),
        height=Decimal(str(dims["height"])),
        distance_unit=str(dims["distance_unit"]),
        weight_grams=grams,
    )
    dto = order_export_dto(order=order, order_key=provider.order_key(order_id=order.pk))
    rated = provider.shipment_rate(order=dto, parcel=parcel_dto)
    with transaction.atomic():
        shipment = Shipment.objects.create(
            account=account,
            order=order,
            external_id=rated.external_id,
            status=ShipmentStatus.DRAFT,
            parcel={**{k: str(v) for k, v in dims.items()}, "weight_grams": str(grams)},
        )
        ShipmentLine.objects.bulk_create(
            [ShipmentLine(shipment=shipment, order_line_id=pk, quantity=q) for pk, q in quantities.items()]
        )
        ShipmentRate.objects.bulk_create(
            [
                ShipmentRate(
                    shipment=shipment,
                    external_id=r.external_id,
                    carrier=r.carrier,
                    service_name=r.service_name,
                    service_token=r.service_token,
                    amount=r.amount,
                    currency=r.currency,
                    estimated_days=r.estimated_days,
                )
                for r in rated.rates
            ]
        )
    return shipment


def _rate_choose(*, shipment: Shipment, rate_id: str | None, rule: RateRule | None) -> ShipmentRate:
    rates = list(shipment.rates.order_by("amount", "pk"))
    if rate_id:
        chosen = next((r for r in rates if r.external_id == rate_id), None)
        if chosen is None:
            raise ShippingError(f"Rate {rate_id} is not a rate of this shipment")
        return chosen
    matching = [r for r in rates if (rule or RateRule()).matches(r)]
    if not matching:
        raise ShippingError("No rate matches the rule")
    return matching[0]


def _purchase_claim(*, shipment_id: int, rate_id: str | None, rule: RateRule | None) -> LabelPurchase | None:
    """Lock, create or re-claim the purchase row; None if the label is already bought."""
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().get(pk=shipment_id)
        purchase = LabelPurchase.objects.select_for_update().filter(shipment=shipment).first()
        now = timezone.now()
        if purchase is not None and purchase.state == LabelPurchaseState.PURCHASED:
            return None
        if purchase is not None and purchase.claimed_until and purchase.claimed_until > now:
            raise ShippingError("A label purchase for this shipment is in progress")
        if purchase is None:
            rate = _rate_choose(shipment=shipment, rate_id=rate_id, rule=rule)
            purchase = LabelPurchase.objects.create(shipment=shipment, rate=rate)
        elif purchase.state == LabelPurchaseState.FAILED:
            purchase.rate = _rate_choose(shipment=shipment, rate_id=rate_id, rule=rule)
            purchase.state = LabelPurchaseState.STARTED
        # A STARTED purchase keeps its rate: the earlier attempt may have bought it.
        purchase.claimed_until = now + CLAIM
        purchase.attempts = F("attempts") + 1
        purchase.save()
        purchase.refresh_from_db()
    return purchase


def shipment_label_buy(
    *,
    shipment: Shipment,
    rate_id: str | None = None,
    rule: RateRule | None = None,
    user: AbstractBaseUser | None = None,
) -> Shipment:
    """Buy the label of a draft shipment (the chosen rate, or the cheapest matching ``rule``),
    store the label document, and record the shipment (stock shipped, the channel told).

    Buying twice is impossible: a bought label is returned as is; a purchase whose outcome was
    unknown is looked up at the vendor before any new purchase. Raises ShippingError (no such
    rate, purchase in progress, refused by the carrier), Retryable/ProviderError.
    """
    account = shipment.account
    provider = _buyer(account)
    purchase = _purchase_claim(shipment_id=shipment.pk, rate_id=rate_id, rule=rule)
    if purchase is None:
        shipment.refresh_from_db()
        return shipment
    rate = purchase.rate
    try:
        label: LabelDTO | None = (
            provider.label_find(rate_id=rate.external_id) if purchase.attempts > 1 else None
        )
        if label is None:
            label = provider.label_buy(
                rate_id=rate.external_id, reference=f"stockmaster shipment {shipment.pk}"
            )
    except RetryableProviderError as exc:
        LabelPurchase.objects.filter(pk=purchase.pk).update(error=str(exc)[:2000], claimed_until=None)
        raise
    except ProviderError as exc:
        LabelPurchase.objects.filter(pk=purchase.pk).update(
            state=LabelPurchaseState.FAILED, error=str(exc)[:2000], claimed_until=None
        )
        raise
    if label.status != "SUCCESS":
        LabelPurchase.objects.filter(pk=purchase.pk).update(
            state=LabelPurchaseState.FAILED,
            transaction_id=label.transaction_id,
            error="; ".join(label.messages)[:2000] or label.status,
            claimed_until=None,
        )
        raise ShippingError(f"The carrier refused the label: {'; '.join(label.messages) or label.status}")
    with transaction.atomic():  # rows locked in the order _purchase_claim takes them: shipment, purchase
        Shipment.objects.filter(pk=shipment.pk).update(
            updated_at=timezone.now(),
            status=ShipmentStatus.LABEL_PURCHASED,
            carrier=rate.carrier,
            service=rate.service_name,
            rate_amount=rate.amount,
            rate_currency=rate.currency,
            tracking_number=label.tracking_number,
            tracking_url=label.tracking_url,
            label_url=label.label_url,
        )
        LabelPurchase.objects.filter(pk=purchase.pk).update(
            state=LabelPurchaseState.PURCHASED,
            transaction_id=label.transaction_id,
            error="",
            claimed_until=None,
        )
    shipment.refresh_from_db()
    if label.label_url:
        try:
            document = provider.label_download(url=label.label_url)
        except ProviderError as exc:  # the label is bought; the link stays on the shipment
            Shipment.objects.filter(pk=shipment.pk).update(
                attention_reason=f"Label not stored: {exc}", updated_at=timezone.now()
            )
        else:
            suffix = ".pdf" if document[:4] == b"%PDF" else ".bin"
            shipment.label.save(f"{shipment.external_id or shipment.pk}{suffix}", ContentFile(document))
    shipment_record(
        account=account,
        order=shipment.order,
        user=user,
        dto=ShipmentDTO(
            external_id=shipment.external_id,
            order_key="",
            carrier=rate.carrier,
            service=rate.service_name,
            tracking_number=label.tracking_number,
            tracking_url=label.tracking_url,
            cost=rate.amount,
            currency=rate.currency,
        ),
    )
    shipment.refresh_from_db()
    return shipment


def tracking_update_apply(*, account: ShippingAccount, update: TrackingUpdateDTO) -> bool:
    """Apply a tracking status to the account's shipment with that tracking number (once per
    status and time). Returns False if no shipment has that number.
    """
    with transaction.atomic():
        shipment = (
            Shipment.objects.select_for_update()
            .filter(account=account, tracking_number=update.tracking_number)
            .first()
        )
        if shipment is None:
            return False
        status = TRACKING_STATUS.get(update.state)
        when = update.occurred_at or timezone.now()
        _, created = ShipmentEvent.objects.get_or_create(
            shipment=shipment,
            key=f"track:{update.state}:{when.isoformat()}"[:255],
            defaults={
                "status": status or shipment.status,
                "description": update.detail[:500],
                "occurred_at": when,
            },
        )
        latest = shipment.events.filter(key__startswith="track:").order_by("-occurred_at", "-pk").first()
        if created and status and latest is not None and latest.occurred_at <= when:
            shipment.status = status
            shipment.tracking_status_detail = update.detail[:500]
            shipment.save(update_fields=["status", "tracking_status_detail", "updated_at"])
    return True
