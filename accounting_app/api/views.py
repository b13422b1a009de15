"""Views of the accounting API: they read through selectors and write through services only."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request
from rest_framework.response import Response

from accounting_app.api.serializers import (
    ConnectionOutputSerializer,
    DocumentOutputSerializer,
    EnqueuedOutputSerializer,
    PeriodInputSerializer,
    PreviewRowSerializer,
)
from accounting_app.models import AccountingConnection, DocumentStatus, ExportDocument
from accounting_app.selectors.mapping import MappingMissing, connection_mapping_gaps
from accounting_app.selectors.preview import connection_period_preview
from accounting_app.services.schedule import document_retry_enqueue, export_enqueue
from inventory_app.api.filters import updated_range_filterset
from inventory_app.api.idempotency import idempotent


@extend_schema(tags=["accounting"])
class ConnectionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Accounting connections; ``preview`` shows what a period would post, ``export`` enqueues it."""

    queryset = AccountingConnection.objects.all()
    serializer_class = ConnectionOutputSerializer
    write_role = "manager"

    @extend_schema(parameters=[PeriodInputSerializer], responses={200: PreviewRowSerializer(many=True)})
    @action(detail=True, methods=["get"], pagination_class=None)  # one list, not pages
    def preview(self, request: Request, pk=None) -> Response:
        """What the period would post (nothing is sent)."""
        period = PeriodInputSerializer(data=request.query_params)
        period.is_valid(raise_exception=True)
        try:
            rows = connection_period_preview(connection=self.get_object(), **period.validated_data)
        except (MappingMissing, ValueError) as exc:
            raise ValidationError({"mapping": [str(exc)]}) from exc
        return Response(PreviewRowSerializer(rows, many=True).data)

    @idempotent
    @extend_schema(request=PeriodInputSerializer, responses={202: EnqueuedOutputSerializer})
    @action(detail=True, methods=["post"])
    def export(self, request: Request, pk=None) -> Response:
        """Enqueue the export of the period (after commit); 400 naming what to map while a
        mapping the export needs is missing."""
        period = PeriodInputSerializer(data=request.data)
        period.is_valid(raise_exception=True)
        connection = self.get_object()
        if gaps := connection_mapping_gaps(connection=connection):
            raise ValidationError({"mapping": gaps})
        export_enqueue(connection_id=connection.pk, **period.validated_data)
        return Response({"enqueued": True}, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["accounting"])
class DocumentViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The export log (filter with ?connection=&status=&total_check=, e.g. ``total_check=differs``
    for the flagged documents); ``retry`` enqueues an unposted document."""

    serializer_class = DocumentOutputSerializer
    write_role = "operator"
    queryset = ExportDocument.objects.all()
    filterset_class = updated_range_filterset(ExportDocument, fields=["connection", "status", "total_check"])
    ordering = ["-id"]
    ordering_fields = ["id", "updated_at"]

    @extend_schema(request=None, responses={202: EnqueuedOutputSerializer, 409: None})
    @action(detail=True, methods=["post"])
    def retry(self, request: Request, pk=None) -> Response:
        """Enqueue an unposted document again; 409 for a posted one."""
        document = self.get_object()
        if document.status == DocumentStatus.POSTED:
            return Response(
                {"detail": "Posted documents are never sent again."}, status=status.HTTP_409_CONFLICT
            )
        document_retry_enqueue(document_id=document.pk)
        return Response({"enqueued": True}, status=status.HTTP_202_ACCEPTED)
