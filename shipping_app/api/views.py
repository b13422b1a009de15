"""Shipping endpoints: thin; every write calls one service.

Reads need the viewer role, writes the operator role. Vendor failures answer 502 (permanent) or
503 with Retry-After (transient: retry later, nothing was bought twice); a request the service
refuses answers 400.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import FileResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory_app.api.filters import updated_range_filterset
from inventory_app.models import Order
from shipping_app.errors import ShippingError
from shipping_app.models import Shipment, ShipmentEvent, ShippingAccount
from shipping_app.providers.base import ProviderError, RetryableProviderError
from shipping_app.selectors.shipments import order_shipping_costs
from shipping_app.services.exports import order_export
from shipping_app.services.labels import RateRule, shipment_draft_create, shipment_label_buy

from .serializers import (
    ShippingAccountChoiceInputSerializer,
    ShippingAccountOutputSerializer,
    ShippingBuyInputSerializer,
    ShippingExportOutputSerializer,
    ShippingRatesInputSerializer,
    ShippingShipmentOutputSerializer,
)


def _failure(exc: Exception) -> Response:
    if isinstance(exc, RetryableProviderError):
        headers = {"Retry-After": str(int(exc.retry_after or 30))}
        return Response({"detail": str(exc)}, status=status.HTTP_503_SERVICE_UNAVAILABLE, headers=headers)
    if isinstance(exc, ProviderError):
        return Response({"detail": str(exc)}, status=status.HTTP_502_BAD_GATEWAY)
    return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)


def _shipments():
    return Shipment.objects.prefetch_related(
        "lines__order_line",
        "rates",
        Prefetch("events", queryset=ShipmentEvent.objects.order_by("occurred_at")),
    )


@extend_schema(tags=["shipping"])
class AccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Shipping accounts (credentials are never shown)."""

    queryset = ShippingAccount.objects.all()
    serializer_class = ShippingAccountOutputSerializer
    filterset_fields = ["provider", "enabled"]


@extend_schema(tags=["shipping"])
class ShipmentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Shipments; filter by order, account, status, tracking_number. POST buy/ buys the label."""

    write_role = "operator"
    serializer_class = ShippingShipmentOutputSerializer
    filterset_class = updated_range_filterset(
        Shipment, fields=["order", "account", "status", "tracking_number"]
    )
    ordering = ["updated_at", "id"]
    ordering_fields = ["id", "created_at", "updated_at"]

    def get_queryset(self):
        return _shipments()

    @extend_schema(responses={(200, "application/pdf"): bytes})
    @action(detail=True, methods=["get"])
    def label(self, request: Request, pk: str | None = None) -> FileResponse | Response:
        """The stored label document (labels carry addresses: served to staff only, never as media)."""
        shipment = self.get_object()
        if not shipment.label:
            return Response({"detail": "This shipment has no stored label"}, status=status.HTTP_404_NOT_FOUND)
        name = shipment.label.name.rsplit("/", 1)[-1]
        content_type = "application/pdf" if name.endswith(".pdf") else "application/octet-stream"
        return FileResponse(shipment.label.open("rb"), content_type=content_type, filename=name)

    @extend_schema(request=ShippingBuyInputSerializer, responses={200: ShippingShipmentOutputSerializer})
    @action(detail=True, methods=["post"])
    def buy(self, request: Request, pk: str | None = None) -> Response:
        """Buy the label: the given rate, or the cheapest matching the rule. Never buys twice."""
        shipment = self.get_object()
        data = ShippingBuyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        rule = data.validated_data.get("rule")
        try:
            shipment = shipment_label_buy(
                shipment=shipment,
                rate_id=data.validated_data["rate_id"] or None,
                rule=RateRule(**rule) if rule is not None else RateRule(),
                user=request.user,
            )
        except (ShippingError, ProviderError) as exc:
            return _failure(exc)
        return Response(ShippingShipmentOutputSerializer(_shipments().get(pk=shipment.pk)).data)


class OrderRatesView(APIView):
    """POST: draft a label shipment of the order at a label service and return its rates."""

    write_role = "operator"

    @extend_schema(
        tags=["shipping"],
        request=ShippingRatesInputSerializer,
        responses={201: ShippingShipmentOutputSerializer},
    )
    def post(self, request: Request, order_id: int) -> Response:
        order = Order.objects.filter(pk=order_id).first()
        if order is None:
            return Response({"detail": "No such order"}, status=status.HTTP_404_NOT_FOUND)
        data = ShippingRatesInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        quantities = data.validated_data.get("quantities")
        try:
            shipment = shipment_draft_create(
                account=data.validated_data["account"],
                order=order,
                quantities={int(k): v for k, v in quantities.items()} if quantities else None,
                parcel=data.validated_data.get("parcel"),
            )
        except (ShippingError, ProviderError, ValueError) as exc:
            return _failure(exc)
        body = ShippingShipmentOutputSerializer(_shipments().get(pk=shipment.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)


class OrderExportView(APIView):
    """POST: send (create, update or cancel) the order to a shipping app now."""

    write_role = "operator"

    @extend_schema(
        tags=["shipping"],
        request=ShippingAccountChoiceInputSerializer,
        responses={200: ShippingExportOutputSerializer},
    )
    def post(self, request: Request, order_id: int) -> Response:
        order = Order.objects.filter(pk=order_id).first()
        if order is None:
            return Response({"detail": "No such order"}, status=status.HTTP_404_NOT_FOUND)
        data = ShippingAccountChoiceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            export = order_export(account=data.validated_data["account"], order=order)
        except (ShippingError, ProviderError) as exc:
            return _failure(exc)
        if export is None:
            return Response({"detail": "Nothing to send for this order"}, status=status.HTTP_400_BAD_REQUEST)
        return Response(ShippingExportOutputSerializer(export).data)


class OrderShippingCostView(APIView):
    """GET: postage paid for the order (sum of its shipments), for margin reporting."""

    @extend_schema(tags=["shipping"], responses={200: dict})
    def get(self, request: Request, order_id: int) -> Response:
        cost = order_shipping_costs(order_ids=[order_id]).get(order_id)
        return Response({"order": order_id, "shipping_cost": str(cost) if cost is not None else "0.00"})
