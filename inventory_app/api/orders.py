"""Order and sales-channel endpoints.

Orders: reads need the viewer role, writes the operator role. Creating is idempotent on
(channel, external_ref); shipping honours the ``Idempotency-Key`` header. Sales channels: reads
viewer, creation manager.
"""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from inventory_app.api.filters import OrderFilter
from inventory_app.api.idempotency import (
    REPLAY_HEADER,
    idempotency_key_of,
    idempotent,
    replay_status_headers,
)
from inventory_app.api.serializers.catalog import SalesChannelInputSerializer, SalesChannelOutputSerializer
from inventory_app.api.serializers.orders import (
    OrderCancelInputSerializer,
    OrderCancelOutputSerializer,
    OrderCreateInputSerializer,
    OrderLineLinkInputSerializer,
    OrderListOutputSerializer,
    OrderOutputSerializer,
    OrderShipInputSerializer,
    OrderShipOutputSerializer,
)
from inventory_app.api.stock import operation_result
from inventory_app.models import Allocation, Order, OrderLine, OrderShipment, SalesChannel
from inventory_app.services.catalog import sales_channel_create
from inventory_app.services.orders import (
    OrderInput,
    OrderLineInput,
    order_cancel_by_seller,
    order_create,
    order_line_link_sku,
    order_ship,
)

MANUAL_CHANNEL = "manual"


def _order_detail_queryset():
    allocations = Allocation.objects.select_related("sku", "location").order_by("location__priority", "pk")
    lines = OrderLine.objects.select_related("sku").order_by("pk")
    return Order.objects.select_related("channel").prefetch_related(
        Prefetch("lines", queryset=lines), Prefetch("lines__allocations", queryset=allocations)
    )


def order_body(order: Order) -> dict:
    """The order as GET /orders/<id>/ shows it."""
    return OrderOutputSerializer(_order_detail_queryset().get(pk=order.pk)).data


def order_input_of(validated: dict) -> tuple[SalesChannel, OrderInput]:
    """The channel and the service input of a validated OrderCreateInputSerializer."""
    fields = dict(validated)
    channel = fields.pop("channel", None) or SalesChannel.objects.filter(code=MANUAL_CHANNEL).first()
    if channel is None:
        raise exceptions.ValidationError({"channel": [f'No "{MANUAL_CHANNEL}" channel: name one.']})
    lines = [
        OrderLineInput(
            sku_code=line["sku"],
            quantity=line["quantity"],
            unit_price=line["unit_price"],
            title=line["title"],
            external_line_id=line["external_line_id"],
        )
        for line in fields.pop("lines")
    ]
    return channel, OrderInput(lines=lines, **fields)


@extend_schema(tags=["orders"])
@extend_schema_view(
    list=extend_schema(responses={200: OrderListOutputSerializer(many=True)}),
    retrieve=extend_schema(responses={200: OrderOutputSerializer}),
    create=extend_schema(
        request=OrderCreateInputSerializer,
        responses={
            201: OrderOutputSerializer,
            200: OpenApiResponse(OrderOutputSerializer, description="The order already existed"),
        },
    ),
)
class OrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Orders of every channel, oldest change first. Filter by status, channel, needs_attention,
    external_ref, created and updated range."""

    write_role = "operator"
    filterset_class = OrderFilter
    search_fields = ["external_ref", "customer_name", "customer_email"]
    ordering = ["updated_at", "id"]
    ordering_fields = ["id", "created_at", "updated_at", "placed_at", "total"]

    def get_queryset(self):
        if self.action == "list":
            return Order.objects.select_related("channel")
        return _order_detail_queryset()

    def get_serializer_class(self):
        return OrderListOutputSerializer if self.action == "list" else OrderOutputSerializer

    @idempotent
    def create(self, request: Request) -> Response:
        data = OrderCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        channel, order_input = order_input_of(data.validated_data)
        order, created = order_create(
            channel=channel,
            data=order_input,
            user=request.user,
            shortage="raise",
            conflict_check=True,
        )
        return Response(
            order_body(order),
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
            headers={REPLAY_HEADER: "false" if created else "true"},
        )

    @extend_schema(request=OrderCancelInputSerializer, responses={200: OrderCancelOutputSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        """Cancel the order, releasing its reservations (cancelling twice changes nothing).

        A channel order is cancelled on its channel too where the channel's API allows it;
        ``channel_notices`` says so, or what the seller must do on the channel (also put on the
        order's attention reason)."""
        data = OrderCancelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order, notices = order_cancel_by_seller(
            order=self.get_object(), user=request.user, reason=data.validated_data["reason"]
        )
        return Response({**order_body(order), "channel_notices": [notice.text for notice in notices]})

    @idempotent
    @extend_schema(
        request=OrderShipInputSerializer,
        responses={
            201: OrderShipOutputSerializer,
            200: OpenApiResponse(OrderShipOutputSerializer, description="Replay of an Idempotency-Key"),
        },
    )
    @action(detail=True, methods=["post"])
    def ship(self, request: Request, pk: str) -> Response:
        """Ship lines (all open units when ``lines`` is left out), consuming their reservations."""
        order = self.get_object()
        data = OrderShipInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        lines = data.validated_data.get("lines")
        quantities = None if lines is None else {item["line"]: item["quantity"] for item in lines}
        key = idempotency_key_of(request)
        operation = order_ship(
            order=order,
            quantities=quantities,
            user=request.user,
            reference=data.validated_data["reference"],
            idempotency_key=key,
            tracking=data.validated_data["tracking"],
        )
        result = operation_result(operation=operation)
        shipment = OrderShipment.objects.filter(operation=operation).first()
        body = {**result, "shipment": shipment, "order": _order_detail_queryset().get(pk=order.pk)}
        code, headers = replay_status_headers(replayed=result["replayed"])
        return Response(OrderShipOutputSerializer(body).data, status=code, headers=headers)

    @extend_schema(
        request=OrderLineLinkInputSerializer,
        responses={200: OrderOutputSerializer},
        parameters=[OpenApiParameter("line_id", OpenApiTypes.INT, OpenApiParameter.PATH)],
    )
    @action(detail=True, methods=["post"], url_path=r"lines/(?P<line_id>[0-9]+)/link", url_name="line-link")
    def link(self, request: Request, pk: str, line_id: str) -> Response:
        """Attach our SKU to a line that arrived with an unknown SKU code, and reserve its stock."""
        order = self.get_object()
        line = OrderLine.objects.filter(order=order, pk=int(line_id)).first()
        if line is None:
            raise exceptions.NotFound("No such line on this order.")
        data = OrderLineLinkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        order_line_link_sku(line=line, sku=data.validated_data["sku"], user=request.user)
        return Response(order_body(order))


@extend_schema(tags=["orders"])
@extend_schema_view(
    create=extend_schema(request=SalesChannelInputSerializer, responses={201: SalesChannelOutputSerializer})
)
class SalesChannelViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Sales channels: where orders come from. Creating one needs the manager role."""

    write_role = "manager"
    queryset = SalesChannel.objects.all()
    serializer_class = SalesChannelOutputSerializer
    filterset_fields = ["kind", "is_active", "code"]
    search_fields = ["code", "name"]
    ordering_fields = ["code", "id"]

    @idempotent
    def create(self, request: Request) -> Response:
        data = SalesChannelInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        channel = sales_channel_create(**data.validated_data)
        return Response(SalesChannelOutputSerializer(channel).data, status=status.HTTP_201_CREATED)
