"""The shipping provider interface: what the shipping services need from any vendor.

A provider is a plain class registered under a ``kind`` (``providers.registry``). The services
build one per use from a :class:`~shipping_app.providers.dto.ProviderConfig`; providers never
touch the database. Their client does raw HTTP (timeouts, bounded retries on 429/5xx honouring
the vendor's Retry-After or rate-limit headers), their mapping module turns vendor JSON into DTOs.

Capabilities are small separate interfaces a provider class mixes in:

* :class:`OrderExporter` - hand open orders to a shipping app (ShipStation, ShippingEasy);
* :class:`ShipmentSource` - learn of shipments made at the vendor, by poll;
* :class:`LabelBuyer` - rate a parcel and buy a label here (Shippo);
* :class:`WebhookReceiver` - verify and parse the vendor's notifications.

Every hook documents what it raises:

* :class:`RetryableProviderError` (429, 5xx, timeout, connection error, after the client's own
  bounded retries; ``retry_after`` seconds if the vendor said) - the caller retries later;
* :class:`ProviderError` - a permanent failure of that call (bad request, bad credentials); the
  message is safe to log and is recorded on the row staff see.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import ClassVar

from shipping_app.providers.dto import (
    ExportResult,
    LabelDTO,
    OrderExportDTO,
    ParcelDTO,
    ProviderConfig,
    RatedShipmentDTO,
    ShipmentDTO,
    ShipmentPage,
    WebhookDelivery,
)


class ProviderError(Exception):
    """A vendor call failed permanently (4xx, unexpected answer). Message is safe to log."""


class RetryableProviderError(ProviderError):
    """A vendor call failed transiently (429, 5xx, timeout); ``retry_after`` seconds if known."""

    def __init__(self, message: str, *, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class WebhookSignatureError(ProviderError):
    """A delivery's signature or token is missing or wrong: reject it (401), store nothing."""


class WebhookPayloadError(ProviderError):
    """A delivery's body is not what the vendor sends (malformed JSON...): reject it (400)."""


class ShippingProvider:
    """Base class of every shipping provider. Subclasses are registered with ``@provider_register``.

    ``kind`` is the registry key stored on ShippingAccount.provider; ``credential_fields`` are
    the credentials the account form asks for, ``secret_fields`` those never shown again.
    ``poll_overlap_seconds`` is re-read at each poll to cover clock skew and late indexing.
    """

    kind: ClassVar[str] = ""
    label: ClassVar[str] = ""
    credential_fields: ClassVar[tuple[str, ...]] = ()
    secret_fields: ClassVar[tuple[str, ...]] = ()
    poll_overlap_seconds: ClassVar[int] = 3600
    # True for vendors whose webhooks carry no signature: the target URL carries ``?secret=``.
    webhook_secret_in_url: ClassVar[bool] = True

    def __init__(self, *, config: ProviderConfig):
        self.config = config

    def order_key(self, *, order_id: int) -> str:
        """The stable key an order is exported under (the same order always gets the same key)."""
        prefix = str(self.config.options.get("order_key_prefix", "sm"))
        return f"{prefix}-{order_id}"


class OrderExporter(ABC):
    """A shipping app that takes our orders."""

    @abstractmethod
    def order_export(self, *, order: OrderExportDTO) -> ExportResult:
        """Create the order at the vendor, or update it if ``order.order_key`` is already there.

        Must never duplicate: a retry after a timeout with the same key updates the same order.
        Raises Retryable/ProviderError. Safe to retry.
        """

    @abstractmethod
    def order_cancel(self, *, order: OrderExportDTO) -> None:
        """Cancel the order at the vendor (it must not be shipped). Safe to retry."""


class ShipmentSource(ABC):
    """A vendor whose shipments we learn by polling (the safety net behind its notifications)."""

    @abstractmethod
    def shipments_fetch(self, *, since: datetime | None, cursor: str | None) -> ShipmentPage:
        """Shipments created at or after ``since`` (None: all); one page per call, oldest first.

        Pass ``next_cursor`` back for the next page. Raises Retryable/ProviderError. Safe to retry.
        """


class WebhookReceiver(ABC):
    """A vendor that notifies us."""

    @abstractmethod
    def webhook_verify(
        self, *, method: str, path: str, query: Mapping[str, str], headers: Mapping[str, str], body: bytes
    ) -> None:
        """Check the delivery's signature (or the account token in its URL), in constant time.

        Called before anything is parsed or stored. Raises WebhookSignatureError.
        """

    @abstractmethod
    def webhook_parse(self, *, headers: Mapping[str, str], body: bytes) -> WebhookDelivery:
        """Parse a verified delivery. Raises WebhookPayloadError on a malformed body."""

    def webhook_subscribe(self, *, url: str) -> str:
        """Subscribe the vendor's notifications to ``url``; return the vendor's subscription id.

        Default: the vendor has no subscription API (the user pastes the URL in its settings):
        raises ProviderError saying so. Safe to retry only where the vendor de-duplicates.
        """
        raise ProviderError(f"{type(self).__name__}: paste the webhook URL in the vendor's settings")

    def webhook_resolve(self, *, delivery: WebhookDelivery) -> Sequence[ShipmentDTO]:
        """The shipments a delivery announces (fetching ``resource_url`` if the vendor sends one).

        Default: those inline in the delivery. Raises Retryable/ProviderError. Safe to retry.
        """
        return delivery.shipments


class LabelBuyer(ABC):
    """A label service: rate a parcel, buy the label, download it."""

    @abstractmethod
    def shipment_rate(self, *, order: OrderExportDTO, parcel: ParcelDTO) -> RatedShipmentDTO:
        """Create the shipment at the vendor (ship-from from options, ship-to from the order) and
        return its rates. Raises Retryable/ProviderError. Retrying creates another (unbought,
        free) vendor shipment, which is harmless.
        """

    @abstractmethod
    def label_buy(self, *, rate_id: str, reference: str) -> LabelDTO:
        """Buy the label for ``rate_id``; ``reference`` is stored on the vendor's transaction.

        This spends money: callers must first call :meth:`label_find` when a previous attempt's
        outcome is unknown. Raises Retryable/ProviderError (a purchase the carrier refused is
        returned with a non-success ``status``, not raised).
        """

    @abstractmethod
    def label_find(self, *, rate_id: str) -> LabelDTO | None:
        """The transaction already bought for ``rate_id``, if any. Safe to retry."""

    @abstractmethod
    def label_download(self, *, url: str) -> bytes:
        """The label document at ``url`` (as the purchase returned it). Safe to retry."""
