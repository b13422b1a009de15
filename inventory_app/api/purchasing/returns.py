"""Endpoints of return authorisations (RMA): create, receive goods, cancel."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404
from rest_framework.request import Request
from rest_framework.response import Response

from inventory_app.api.filters import updated_range_filterset
from inventory_app.api.idempotency import idempotency_key_of, idempotent, replay_status_headers
from inventory_app.api.purchasing.serializers import (
    ReturnAuthorizationInputSerializer,
    ReturnAuthorizationOutputSerializer,
    ReturnReceiveInputSerializer,
)
from inventory_app.models import Order, ReturnAuthorization, StockOperation
from inventory_app.services import returns as services


@extend_schema(tags=["returns"])
class ReturnAuthorizationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Return authorisations against shipped orders (operator role to write), oldest change first;
    filter by status, order, updated range."""

    queryset = ReturnAuthorization.objects.prefetch_related("lines")
    serializer_class = ReturnAuthorizationOutputSerializer
    write_role = "operator"
    filterset_class = updated_range_filterset(ReturnAuthorization, fields=["status", "order"])
    search_fields = ["number", "order__external_ref"]
    ordering = ["updated_at", "id"]

    def _answer(self, rma: ReturnAuthorization, code: int = status.HTTP_200_OK, headers=None) -> Response:
        fresh = self.get_queryset().get(pk=rma.pk)
        return Response(ReturnAuthorizationOutputSerializer(fresh).data, status=code, headers=headers)

    @idempotent
    @extend_schema(
        request=ReturnAuthorizationInputSerializer, responses={201: ReturnAuthorizationOutputSerializer}
    )
    def create(self, request: Request) -> Response:
        data = ReturnAuthorizationInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        rma = services.return_authorization_create(
            order=get_object_or_404(Order, pk=values["order"]),
            lines=[
                services.ReturnLineInput(
                    order_line_id=line["order_line"].pk,
                    quantity=line["quantity"],
                    reason=line["reason"],
                    condition=line["condition"],
                    note=line["note"],
                )
                for line in values["lines"]
            ],
            note=values["note"],
            user=request.user,
        )
        return self._answer(rma, status.HTTP_201_CREATED)

    @idempotent
    @extend_schema(
        request=ReturnReceiveInputSerializer,
        responses={201: ReturnAuthorizationOutputSerializer, 200: ReturnAuthorizationOutputSerializer},
    )
    @action(detail=True, methods=["post"])
    def receive(self, request: Request, pk=None) -> Response:
        rma = self.get_object()
        data = ReturnReceiveInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        key = idempotency_key_of(request)
        replayed = bool(key) and StockOperation.objects.filter(idempotency_key=f"rma-receive:{key}").exists()
        services.return_receive(
            authorization=rma,
            items=[
                services.ReturnReceiveInput(
                    return_line_id=item["line"],
                    quantity=item["quantity"],
                    disposition=item["disposition"],
                    location_id=item["location"].pk,
                    condition=item["condition"],
                )
                for item in data.validated_data["items"]
            ],
            user=request.user,
            idempotency_key=key,
        )
        code, headers = replay_status_headers(replayed=replayed)
        return self._answer(rma, code, headers)

    @extend_schema(request=None, responses={200: ReturnAuthorizationOutputSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk=None) -> Response:
        return self._answer(services.return_authorization_cancel(authorization=self.get_object()))
