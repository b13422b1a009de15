"""Bulk endpoints: many level changes (``stock/bulk``), many orders (``orders/bulk``), and the
availability of up to 1,000 SKUs by POST (``availability``).

All honour ``Idempotency-Key`` for the whole request. Level changes need the operator role and
run through the ledger (services/stock_bulk.py); orders the operator role, each created on its own
(services/orders/bulk.py: idempotent per channel and external_ref, 409-style conflicts reported
per order).
"""

from __future__ import annotations

from dataclasses import asdict

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory_app.api.exceptions import core_problem
from inventory_app.api.idempotency import idempotent
from inventory_app.api.orders import order_input_of
from inventory_app.api.serializers.bulk import (
    OrderBulkInputSerializer,
    OrderBulkOutputSerializer,
    StockBulkInputSerializer,
    StockBulkOutputSerializer,
)
from inventory_app.api.serializers.orders import OrderCreateInputSerializer
from inventory_app.errors import InsufficientStock, OrderConflict
from inventory_app.models import SalesChannel
from inventory_app.services.orders import OrderInput
from inventory_app.services.orders.bulk import OrderBulkOutcome, orders_bulk_create
from inventory_app.services.stock_bulk import BulkLine, stock_bulk_apply

MULTI_STATUS = 207


@extend_schema(tags=["stock"])
class StockBulkView(APIView):
    """Set or adjust up to 1,000 levels in one request (operator role).

    ``atomic: true`` (default): all or nothing; 201 when every line applied, 422
    (``code: bulk_rejected``) with the per-line results when any line fails, and nothing changed.
    ``atomic: false``: each line on its own; 201 when every line applied, 207 (Multi-Status) with
    the per-line results when some failed (the others are applied).
    """

    write_role = "operator"

    @idempotent
    @extend_schema(
        request=StockBulkInputSerializer,
        responses={
            201: StockBulkOutputSerializer,
            207: OpenApiResponse(StockBulkOutputSerializer, description="atomic false: some lines failed"),
            422: OpenApiResponse(
                StockBulkOutputSerializer, description="atomic: a line failed, nothing changed"
            ),
        },
        summary="Set or adjust many stock levels",
    )
    def post(self, request: Request) -> Response:
        data = StockBulkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        results = stock_bulk_apply(
            lines=[BulkLine(**line) for line in values["lines"]],
            atomic=values["atomic"],
            reference=values["reference"],
            note=values["note"],
            user=request.user,
        )
        failed = sum(1 for r in results if r.status == "failed")
        body = {
            "atomic": values["atomic"],
            "applied": sum(1 for r in results if r.status == "applied"),
            "failed": failed,
            "results": [asdict(r) for r in results],
        }
        body = dict(StockBulkOutputSerializer(body).data)
        if not failed:
            return Response(body, status=status.HTTP_201_CREATED)
        if values["atomic"]:
            detail = f"{failed} line(s) failed; nothing was changed."
            return Response({"code": "bulk_rejected", "detail": detail, **body}, status=422)
        return Response(body, status=MULTI_STATUS)


@extend_schema(tags=["orders"])
class OrderBulkView(APIView):
    """Create up to 100 orders in one request (operator role), each on its own.

    Each order is what POST /orders/ takes and is idempotent on (channel, external_ref): an order
    already there with the same lines is ``existing``; with other lines it ``failed`` with
    ``code: order_conflict`` and the differences. 201 when none failed, else 207 (Multi-Status).
    """

    write_role = "operator"

    @idempotent
    @extend_schema(
        request=OrderBulkInputSerializer,
        responses={
            201: OrderBulkOutputSerializer,
            207: OpenApiResponse(OrderBulkOutputSerializer, description="Some orders failed"),
        },
        summary="Create many orders",
    )
    def post(self, request: Request) -> Response:
        data = OrderBulkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        results, valid = [], {}  # one result per order; the readable ones' (channel, input) by index
        for index, raw in enumerate(data.validated_data["orders"]):
            result = {"index": index, "external_ref": str(raw.get("external_ref", ""))[:128], "order": None}
            try:
                valid[index] = _order_input_read(raw)
            except exceptions.ValidationError as exc:
                result.update(status="failed", code="invalid", detail="Invalid order.", errors=exc.detail)
            results.append(result)
        outcomes = orders_bulk_create(orders=list(valid.values()), user=request.user)
        for index, outcome in zip(valid, outcomes, strict=True):
            results[index].update(_outcome_members(outcome))
        counts = {
            name: sum(1 for r in results if r["status"] == name) for name in ("created", "existing", "failed")
        }
        body = OrderBulkOutputSerializer({**counts, "results": results}).data
        return Response(body, status=MULTI_STATUS if counts["failed"] else status.HTTP_201_CREATED)


def _order_input_read(raw: dict) -> tuple[SalesChannel, OrderInput]:
    """The channel and service input of one order of the body; ValidationError when unreadable."""
    data = OrderCreateInputSerializer(data=raw)
    data.is_valid(raise_exception=True)
    return order_input_of(data.validated_data)


def _outcome_members(outcome: OrderBulkOutcome) -> dict:
    """The result members of a created, existing or refused order."""
    if outcome.refusal is None:
        return {"order": outcome.order.pk, "status": outcome.status, "code": "", "detail": ""}
    if isinstance(outcome.refusal, OrderConflict | InsufficientStock):
        _, code, detail, extra = core_problem(outcome.refusal)  # the members of the API's problem documents
        return {"status": "failed", "code": code, "detail": detail, **extra}
    return {"status": "failed", "code": "order_refused", "detail": str(outcome.refusal)}
