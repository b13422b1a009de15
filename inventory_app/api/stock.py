"""Stock endpoints: levels, the ledger (movements, operations), availability, stock operations.

Reads need the viewer role. Receive, adjust, count, transfer and return need the operator role,
call services/stock.py and honour the ``Idempotency-Key`` header.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Prefetch, Q
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from inventory_app.api.filters import (
    StockLevelFilter,
    StockMovementFilter,
    StockOperationFilter,
    sku_refs_split,
)
from inventory_app.api.idempotency import (
    idempotency_key_of,
    idempotent,
    replay_status_headers,
)
from inventory_app.api.pagination import CURSOR_PARAM, PAGE_SIZE_PARAM, KeysetCursorPagination
from inventory_app.api.serializers.bulk import AvailabilityBulkInputSerializer
from inventory_app.api.serializers.stock import (
    AvailabilityOutputSerializer,
    AvailabilityQuerySerializer,
    StockAdjustInputSerializer,
    StockCountInputSerializer,
    StockLevelOutputSerializer,
    StockMovementOutputSerializer,
    StockOperationOutputSerializer,
    StockOperationResultSerializer,
    StockReceiveInputSerializer,
    StockReturnInputSerializer,
    StockTransferInputSerializer,
)
from inventory_app.api.strict import list_params_check
from inventory_app.models import StockLevel, StockMovement, StockOperation
from inventory_app.selectors.availability_lists import (
    sku_availability_changed,
    sku_availability_named,
    sku_availability_rows,
)
from inventory_app.services import stock as stock_services


@extend_schema(tags=["stock"])
class StockLevelViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Stock levels (on hand, committed, available), oldest change first. Filter by sku, sku_code,
    location, location_code, nonzero, updated range."""

    queryset = StockLevel.objects.select_related("sku", "location")
    serializer_class = StockLevelOutputSerializer
    filterset_class = StockLevelFilter
    search_fields = ["sku__code", "sku__barcode", "location__code"]
    ordering = ["updated_at", "id"]
    ordering_fields = ["id", "on_hand", "committed", "updated_at"]


@extend_schema(tags=["stock"])
class StockMovementViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The ledger, oldest first (append-only: ?ordering=-id for newest first). Filter by sku,
    location, reason, reference, order, created range (updated_after/before: the same)."""

    queryset = StockMovement.objects.select_related("sku", "location", "operation")
    serializer_class = StockMovementOutputSerializer
    filterset_class = StockMovementFilter
    ordering = ["id"]
    ordering_fields = ["id", "created_at"]


def _operation_queryset():
    movements = StockMovement.objects.select_related("sku", "location").order_by("pk")
    return StockOperation.objects.select_related("user").prefetch_related(
        Prefetch("movements", queryset=movements)
    )


@extend_schema(tags=["stock"])
class StockOperationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Ledger operations with their movements, oldest first (?ordering=-id for newest first).
    Filter by reason, reference, created range."""

    queryset = _operation_queryset()
    serializer_class = StockOperationOutputSerializer
    filterset_class = StockOperationFilter
    ordering = ["id"]
    ordering_fields = ["id", "created_at"]


def operation_result(*, operation: StockOperation) -> dict:
    """The operation (re-read with its movements) and the current levels it touched."""
    replayed = bool(getattr(operation, "replayed", False))
    operation = _operation_queryset().get(pk=operation.pk)
    pairs = {(m.sku_id, m.location_id) for m in operation.movements.all()}
    condition = Q(pk__in=[])
    for sku_id, location_id in sorted(pairs):
        condition |= Q(sku_id=sku_id, location_id=location_id)
    levels = StockLevel.objects.filter(condition).select_related("sku", "location").order_by("pk")
    return {"replayed": replayed, "operation": operation, "levels": list(levels)}


def _result_response(operation: StockOperation) -> Response:
    body = operation_result(operation=operation)
    code, headers = replay_status_headers(replayed=body["replayed"])
    return Response(StockOperationResultSerializer(body).data, status=code, headers=headers)


def _stock_schema(request: type[Serializer], summary: str):
    return extend_schema(
        request=request,
        responses={
            201: StockOperationResultSerializer,
            200: OpenApiResponse(StockOperationResultSerializer, description="Replay of an Idempotency-Key"),
        },
        summary=summary,
    )


@extend_schema(tags=["stock"])
class StockActionViewSet(viewsets.ViewSet):
    """Stock operations staff and integrators perform (operator role)."""

    write_role = "operator"

    def _run(
        self, request: Request, serializer_class: type[Serializer], call: Callable[..., StockOperation]
    ) -> Response:
        data = serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        key = idempotency_key_of(request)
        operation = call(**data.validated_data, user=request.user, idempotency_key=key)
        return _result_response(operation)

    @idempotent
    @_stock_schema(StockReceiveInputSerializer, "Receive stock")
    @action(detail=False, methods=["post"])
    def receive(self, request: Request) -> Response:
        return self._run(request, StockReceiveInputSerializer, stock_services.stock_receive)

    @idempotent
    @_stock_schema(StockAdjustInputSerializer, "Adjust stock by a signed quantity")
    @action(detail=False, methods=["post"])
    def adjust(self, request: Request) -> Response:
        def call(*, reason: str, **kwargs) -> StockOperation:
            return stock_services.stock_adjust(reason_detail=reason, **kwargs)

        return self._run(request, StockAdjustInputSerializer, call)

    @idempotent
    @_stock_schema(StockCountInputSerializer, "Record a stock count")
    @action(detail=False, methods=["post"])
    def count(self, request: Request) -> Response:
        return self._run(request, StockCountInputSerializer, stock_services.stock_count)

    @idempotent
    @_stock_schema(StockTransferInputSerializer, "Transfer stock between locations")
    @action(detail=False, methods=["post"])
    def transfer(self, request: Request) -> Response:
        return self._run(request, StockTransferInputSerializer, stock_services.stock_transfer)

    @idempotent
    @_stock_schema(StockReturnInputSerializer, "Put returned units back on hand")
    @action(detail=False, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request) -> Response:
        def call(*, order_line, **kwargs) -> StockOperation:
            return stock_services.stock_return(order_line_id=order_line.pk if order_line else None, **kwargs)

        return self._run(request, StockReturnInputSerializer, call)


AVAILABILITY_PARAMS = frozenset(
    {"sku", "code", "location", "updated_after", "updated_before", CURSOR_PARAM, PAGE_SIZE_PARAM}
)


@extend_schema(tags=["stock"])
class AvailabilityView(APIView):
    """Available-to-sell of many SKUs at once: ?sku=<id or code>&sku=... and/or ?code=...;
    ?location= narrows; ?updated_after= / ?updated_before= keep the figures that changed in that
    window (kits too, when a component's level changed). With a window and no SKU named: every
    SKU whose figure changed, by id, in cursor pages (``next``).
    POST takes up to 1,000 codes in a JSON body (a read: viewer role)."""

    write_role = "viewer"

    @extend_schema(
        parameters=[
            AvailabilityQuerySerializer,
            OpenApiParameter(
                CURSOR_PARAM, str, description="The next page of a window listing (from `next`)"
            ),
            OpenApiParameter(PAGE_SIZE_PARAM, int, description="Rows per page of a window listing (1-500)"),
        ],
        responses={200: AvailabilityOutputSerializer},
        summary="Available to sell, in bulk",
    )
    def get(self, request: Request) -> Response:
        list_params_check(request=request, allowed=AVAILABILITY_PARAMS)
        query = AvailabilityQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        ids, codes = sku_refs_split(query.validated_data["sku"])
        codes += query.validated_data["code"]
        location_ids = query.validated_data["location"] or None
        return _availability_answer(
            request=request,
            view=self,
            ids=ids,
            codes=codes,
            location_ids=location_ids,
            updated_after=query.validated_data["updated_after"],
            updated_before=query.validated_data["updated_before"],
        )

    @extend_schema(
        request=AvailabilityBulkInputSerializer,
        responses={200: AvailabilityOutputSerializer},
        summary="Available to sell of up to 1,000 SKUs given by code in the body",
    )
    def post(self, request: Request) -> Response:
        """As GET, for large sets: ``{"skus": [code, ...], "location": [id, ...]}`` (reads only)."""
        data = AvailabilityBulkInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        return _availability_answer(
            request=request, view=self, ids=[], codes=values["skus"], location_ids=values["location"] or None
        )


def _availability_answer(
    *,
    request: Request,
    view: APIView,
    ids: list[int],
    codes: list[str],
    location_ids: list[int] | None,
    updated_after=None,
    updated_before=None,
) -> Response:
    """The named SKUs' figures (sorted by code), or with none named every SKU whose figure changed
    in the window, by id, in cursor pages."""
    paginator, headers = None, {}
    if ids or codes:
        named = sku_availability_named(
            ids=ids,
            codes=codes,
            location_ids=location_ids,
            updated_after=updated_after,
            updated_before=updated_before,
        )
        rows, unknown_ids, unknown_codes = named.rows, named.unknown_ids, named.unknown_codes
    else:
        paginator = KeysetCursorPagination()
        changed = sku_availability_changed(
            location_ids=location_ids, updated_after=updated_after, updated_before=updated_before
        )
        page = paginator.paginate_queryset(changed, request, view=view)
        rows, unknown_ids, unknown_codes = sku_availability_rows(skus=page, location_ids=location_ids), [], []
    body = {
        "locations": location_ids,
        "results": rows,
        "next": paginator.next_link() if paginator else None,
        "unknown_skus": unknown_ids,
        "unknown_codes": unknown_codes,
    }
    if body["next"]:
        headers["Link"] = f'<{body["next"]}>; rel="next"'
    return Response(AvailabilityOutputSerializer(body).data, headers=headers)
