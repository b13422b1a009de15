"""Endpoints of reorder rules and suggestions, and of the cost reports (JSON or CSV)."""

from __future__ import annotations

from dataclasses import asdict

from django.http import HttpResponse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory_app.api.idempotency import idempotent
from inventory_app.api.purchasing.serializers import (
    CogsRowSerializer,
    IncomingQuerySerializer,
    IncomingRowSerializer,
    OrderCogsSerializer,
    PurchaseOrderOutputSerializer,
    ReorderRuleSerializer,
    ReorderSuggestionSerializer,
    ReportQuerySerializer,
    ValuationRowSerializer,
)
from inventory_app.models import SKU, Order, ReorderRule
from inventory_app.selectors.costing import order_cogs
from inventory_app.selectors.purchasing import sku_incoming
from inventory_app.selectors.reorder import reorder_suggestions
from inventory_app.selectors.reports import (
    CogsReportRow,
    ValuationReportRow,
    cogs_report,
    report_csv,
    valuation_report,
)
from inventory_app.services.reorder import purchase_orders_from_suggestions, reorder_rule_set


@extend_schema(tags=["reorder"])
class ReorderRuleViewSet(mixins.ListModelMixin, mixins.CreateModelMixin, viewsets.GenericViewSet):
    """Reorder rules per SKU and location; POST creates or updates the pair's rule (manager role)."""

    queryset = ReorderRule.objects.all()
    serializer_class = ReorderRuleSerializer
    write_role = "manager"

    create = idempotent(mixins.CreateModelMixin.create)

    def perform_create(self, serializer):
        serializer.instance = reorder_rule_set(**serializer.validated_data)


def _days(request: Request) -> int:
    try:
        days = int(request.query_params.get("days", 30))
    except ValueError:
        days = 0
    if not 1 <= days <= 365:
        raise ValidationError({"days": ["A whole number of days from 1 to 365."]})
    return days


@extend_schema(tags=["reorder"])
class ReorderSuggestionView(APIView):
    """GET: the "needs reordering" list (?days=30 of velocity). POST: draft POs from it (operator)."""

    write_role = "operator"

    @extend_schema(responses={200: ReorderSuggestionSerializer(many=True)})
    def get(self, request: Request) -> Response:
        rows = reorder_suggestions(days=_days(request))
        return Response([{**asdict(r), "projected": r.projected} for r in rows])

    @idempotent
    @extend_schema(request=None, responses={201: PurchaseOrderOutputSerializer(many=True)})
    def post(self, request: Request) -> Response:
        orders = purchase_orders_from_suggestions(
            suggestions=reorder_suggestions(days=_days(request)), user=request.user
        )
        return Response(PurchaseOrderOutputSerializer(orders, many=True).data, status=status.HTTP_201_CREATED)


def _csv(text: str, name: str) -> HttpResponse:
    response = HttpResponse(text, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@extend_schema(tags=["reports"])
class ValuationReportView(APIView):
    """Stock value per SKU and location, now or ?as_of=<ISO time>; ?export=csv for a file."""

    @extend_schema(
        parameters=[ReportQuerySerializer],
        responses={(200, "application/json"): ValuationRowSerializer(many=True), (200, "text/csv"): str},
    )
    def get(self, request: Request):
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        rows = valuation_report(as_of=query.validated_data["as_of"])
        if query.validated_data["export"] == "csv":
            return _csv(report_csv(rows=rows, row_type=ValuationReportRow), "valuation")
        return Response(ValuationRowSerializer(rows, many=True).data)


@extend_schema(tags=["reports"])
class CogsReportView(APIView):
    """COGS per SKU, location and channel over ?date_from=&date_to= (&channel=); ?export=csv."""

    @extend_schema(
        parameters=[ReportQuerySerializer],
        responses={(200, "application/json"): CogsRowSerializer(many=True), (200, "text/csv"): str},
    )
    def get(self, request: Request):
        query = ReportQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        values = query.validated_data
        rows = cogs_report(
            date_from=values["date_from"], date_to=values["date_to"], channel_ids=values["channel"]
        )
        if values["export"] == "csv":
            return _csv(report_csv(rows=rows, row_type=CogsReportRow), "cogs")
        return Response(CogsRowSerializer(rows, many=True).data)


@extend_schema(tags=["reports"])
class OrderCogsView(APIView):
    """COGS of one order, line by line."""

    @extend_schema(responses={200: OrderCogsSerializer})
    def get(self, request: Request, pk: int) -> Response:
        order = get_object_or_404(Order, pk=pk)
        cogs = order_cogs(order_id=order.pk)
        body = {"order_id": order.pk, "cogs": cogs.cogs, "lines": list(cogs.lines.values())}
        return Response(OrderCogsSerializer(body).data)


@extend_schema(tags=["purchasing"])
class IncomingView(APIView):
    """Units on sent or part-received purchase orders, per SKU (?sku=<id>... &location=<id>...)."""

    @extend_schema(parameters=[IncomingQuerySerializer], responses={200: IncomingRowSerializer(many=True)})
    def get(self, request: Request) -> Response:
        query = IncomingQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        figures = sku_incoming(
            sku_ids=query.validated_data["sku"] or None, location_ids=query.validated_data["location"] or None
        )
        codes = dict(SKU.objects.filter(pk__in=figures).values_list("pk", "code"))
        rows = [
            {"sku": pk, "sku_code": codes[pk], "incoming": units} for pk, units in sorted(figures.items())
        ]
        return Response(IncomingRowSerializer(rows, many=True).data)
