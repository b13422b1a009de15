"""Endpoints of suppliers, purchase orders (send, cancel, close, receive, landed costs) and receipts."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from inventory_app.api.filters import updated_range_filterset
from inventory_app.api.idempotency import idempotency_key_of, idempotent, replay_status_headers
from inventory_app.api.purchasing.serializers import (
    ChargeInputSerializer,
    LandedCostOutputSerializer,
    PurchaseOrderInputSerializer,
    PurchaseOrderOutputSerializer,
    ReceiptOutputSerializer,
    ReceiveInputSerializer,
    SupplierItemInputSerializer,
    SupplierItemOutputSerializer,
    SupplierSerializer,
)
from inventory_app.models import PurchaseOrder, PurchaseOrderLine, Receipt, Supplier
from inventory_app.services import purchasing as services


@extend_schema(tags=["purchasing"])
class SupplierViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet
):
    """Suppliers (manager role to create) and their prices per SKU."""

    queryset = Supplier.objects.all()
    serializer_class = SupplierSerializer
    write_role = "manager"
    search_fields = ["code", "name"]

    create = idempotent(mixins.CreateModelMixin.create)

    def perform_create(self, serializer):
        serializer.instance = services.supplier_create(**serializer.validated_data)

    @extend_schema(request=SupplierItemInputSerializer, responses={200: SupplierItemOutputSerializer})
    @action(detail=True, methods=["post"])
    def items(self, request: Request, pk=None) -> Response:
        data = SupplierItemInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.supplier_item_set(supplier=self.get_object(), **data.validated_data)
        return Response(SupplierItemOutputSerializer(item).data)


def _po_queryset():
    return PurchaseOrder.objects.prefetch_related(
        Prefetch("lines", queryset=PurchaseOrderLine.objects.select_related("sku").order_by("pk")),
        "landed_costs",
    )


@extend_schema(tags=["purchasing"])
class PurchaseOrderViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Purchase orders: create a draft, send, receive (partially), add landed costs, close, cancel.
    Listed oldest change first; filter by status, supplier, updated range."""

    queryset = _po_queryset()
    serializer_class = PurchaseOrderOutputSerializer
    write_role = "operator"
    filterset_class = updated_range_filterset(PurchaseOrder, fields=["status", "supplier"])
    search_fields = ["number", "supplier__name"]
    ordering = ["updated_at", "id"]
    ordering_fields = ["id", "expected_date", "created_at", "updated_at"]

    def _answer(self, order: PurchaseOrder, code: int = status.HTTP_200_OK) -> Response:
        return Response(PurchaseOrderOutputSerializer(_po_queryset().get(pk=order.pk)).data, status=code)

    @idempotent
    @extend_schema(request=PurchaseOrderInputSerializer, responses={201: PurchaseOrderOutputSerializer})
    def create(self, request: Request) -> Response:
        data = PurchaseOrderInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = dict(data.validated_data)
        lines = [
            services.PurchaseLineInput(
                sku_id=line["sku"].pk, quantity=line["quantity"], unit_cost=line["unit_cost"]
            )
            for line in values.pop("lines")
        ]
        order = services.purchase_order_create(lines=lines, user=request.user, **values)
        return self._answer(order, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: PurchaseOrderOutputSerializer})
    @action(detail=True, methods=["post"])
    def send(self, request: Request, pk=None) -> Response:
        return self._answer(services.purchase_order_send(purchase_order=self.get_object()))

    @extend_schema(request=None, responses={200: PurchaseOrderOutputSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk=None) -> Response:
        return self._answer(services.purchase_order_cancel(purchase_order=self.get_object()))

    @extend_schema(request=None, responses={200: PurchaseOrderOutputSerializer})
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk=None) -> Response:
        return self._answer(services.purchase_order_close(purchase_order=self.get_object()))

    @idempotent
    @extend_schema(request=ChargeInputSerializer, responses={201: LandedCostOutputSerializer})
    @action(detail=True, methods=["post"], url_path="landed-costs")
    def landed_costs(self, request: Request, pk=None) -> Response:
        data = ChargeInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        charge = services.landed_cost_add(
            purchase_order=self.get_object(), charge=services.ChargeInput(**data.validated_data)
        )
        return Response(LandedCostOutputSerializer(charge).data, status=status.HTTP_201_CREATED)

    @idempotent
    @extend_schema(
        request=ReceiveInputSerializer,
        responses={201: ReceiptOutputSerializer, 200: ReceiptOutputSerializer},
    )
    @action(detail=True, methods=["post"])
    def receive(self, request: Request, pk=None) -> Response:
        order = self.get_object()
        data = ReceiveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        key = idempotency_key_of(request)
        replayed = bool(key) and Receipt.objects.filter(idempotency_key=key).exists()
        quantities: dict[int, int] = {}
        for line in values["lines"]:
            quantities[line["line"]] = quantities.get(line["line"], 0) + line["quantity"]
        receipt = services.purchase_order_receive(
            purchase_order=order,
            location=values["location"],
            quantities=quantities,
            charges=[services.ChargeInput(**c) for c in values["charges"]],
            document_date=values["document_date"],
            reference=values["reference"],
            note=values["note"],
            user=request.user,
            idempotency_key=key,
        )
        code, headers = replay_status_headers(replayed=replayed)
        return Response(ReceiptOutputSerializer(receipt).data, status=code, headers=headers)


@extend_schema(tags=["purchasing"])
class ReceiptViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Receipts (newest first); reverse one by a counter-movement."""

    queryset = Receipt.objects.prefetch_related("lines")
    serializer_class = ReceiptOutputSerializer
    write_role = "operator"
    filterset_fields = ["purchase_order"]

    @extend_schema(request=None, responses={200: ReceiptOutputSerializer})
    @action(detail=True, methods=["post"])
    def reverse(self, request: Request, pk=None) -> Response:
        receipt = services.receipt_reverse(receipt=get_object_or_404(Receipt, pk=pk), user=request.user)
        return Response(ReceiptOutputSerializer(receipt).data)
