"""Catalog CSV import endpoint (manager role): a multipart ``file`` or a ``text/csv`` body.

``dry_run`` (query string or form field) validates and reports without changing anything. A small
file (up to ``IMPORT_INLINE_MAX_ROWS`` rows) runs in the request: a file with any bad row imports
nothing and answers 400 with every row error; a dry run that would succeed answers 200, an applied
import 201. A larger file, or ``?background=true``, answers 202 with an import job (Location:
``/api/v1/imports/jobs/<id>/``) that a worker runs; the job shows status, progress and the report.
Files are limited to ``IMPORT_MAX_BYTES`` and ``IMPORT_MAX_ROWS`` (see the jobs service).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.parsers import BaseParser, FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory_app.api.idempotency import idempotent
from inventory_app.models import ImportJob
from inventory_app.services.imports import catalog_import_csv
from inventory_app.services.imports.jobs import (
    ImportTooLarge,
    import_job_create,
    import_limits,
    import_rows_count,
    import_size_check,
)

TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"", "0", "false", "no", "off"}


class CSVTextParser(BaseParser):
    """A ``text/csv`` (or ``text/plain``) request body, kept as bytes for the view to decode."""

    media_type = "text/*"

    def parse(self, stream, media_type=None, parser_context=None):
        max_bytes = import_limits()[0]
        data = stream.read(max_bytes + 1) if stream is not None else b""
        if len(data) > max_bytes:
            raise exceptions.ParseError(f"The file is larger than {max_bytes:,} bytes.")
        return {"content": data}


class ImportUploadSerializer(serializers.Serializer):
    """A multipart upload: the CSV file and the dry-run switch."""

    file = serializers.FileField()
    dry_run = serializers.BooleanField(required=False, default=False)


class ImportRowErrorSerializer(serializers.Serializer):
    """One problem of the file: spreadsheet row (header = 1), column, message."""

    row = serializers.IntegerField()
    column = serializers.CharField()
    message = serializers.CharField()


class ImportReportSerializer(serializers.Serializer):
    """What the import did (or, in a dry run, would do), and every error found."""

    dry_run = serializers.BooleanField()
    ok = serializers.BooleanField()
    applied = serializers.BooleanField()
    rows = serializers.IntegerField()
    skus_created = serializers.IntegerField()
    skus_updated = serializers.IntegerField()
    stock_rows = serializers.IntegerField()
    errors = ImportRowErrorSerializer(many=True)


class ImportJobSerializer(serializers.ModelSerializer):
    """A background import: status, percent done and, once done, the import report."""

    created_by = serializers.CharField(source="created_by.username", default=None, allow_null=True)
    result = ImportReportSerializer(allow_null=True, read_only=True)

    class Meta:
        model = ImportJob
        fields = [
            "id", "status", "progress", "dry_run", "filename", "rows_total", "created_by",
            "created_at", "started_at", "finished_at", "result", "error",
        ]  # fmt: skip
        read_only_fields = fields


def _flag(value, *, name: str = "dry_run") -> bool:
    text = str(value).strip().lower()
    if text in TRUE_VALUES:
        return True
    if text in FALSE_VALUES:
        return False
    raise exceptions.ValidationError({name: ["Must be true or false."]})


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise exceptions.ValidationError({"file": ["The file must be UTF-8 encoded text."]}) from exc


@extend_schema(tags=["imports"])
class CatalogImportView(APIView):
    """Import SKUs, kits and opening stock from a CSV file (see the import service for columns)."""

    write_role = "manager"
    parser_classes = [MultiPartParser, FormParser, CSVTextParser]

    @idempotent
    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer, "text/csv": OpenApiTypes.STR},
        parameters=[
            OpenApiParameter(
                "dry_run", OpenApiTypes.BOOL, OpenApiParameter.QUERY, description="Validate only."
            ),
            OpenApiParameter(
                "background", OpenApiTypes.BOOL, OpenApiParameter.QUERY, description="Run as a job (202)."
            ),
        ],
        responses={
            202: OpenApiResponse(ImportJobSerializer, description="Queued: a worker runs the job"),
            201: OpenApiResponse(ImportReportSerializer, description="Imported"),
            200: OpenApiResponse(ImportReportSerializer, description="Dry run: the file is valid"),
            400: OpenApiResponse(
                {
                    "anyOf": [
                        {"$ref": "#/components/schemas/ImportReport"},
                        {"$ref": "#/components/schemas/Error"},
                    ]
                },
                description="Row errors (an ImportReport) or a bad request (an Error); nothing imported",
            ),
        },
        summary="Import the catalog from CSV",
    )
    def post(self, request: Request) -> Response:
        dry_run = _flag(request.query_params.get("dry_run", ""), name="dry_run")
        background = _flag(request.query_params.get("background", ""), name="background")
        filename = ""
        if isinstance(request.data.get("content"), bytes):  # a text/csv body
            raw = request.data["content"]
        else:
            upload = ImportUploadSerializer(data=request.data)
            upload.is_valid(raise_exception=True)
            dry_run = dry_run or upload.validated_data["dry_run"]
            file = upload.validated_data["file"]
            if file.size > import_limits()[0]:
                raise exceptions.ValidationError({"file": [f"Larger than {import_limits()[0]:,} bytes."]})
            raw, filename = file.read(), file.name or ""
        content = _decode(raw)
        rows = import_rows_count(content=content)
        try:
            import_size_check(size=len(raw), rows=rows)
        except ImportTooLarge as exc:
            raise exceptions.ValidationError({"file": [str(exc)]}) from None
        if background or rows > import_limits()[2]:
            job = import_job_create(content=content, dry_run=dry_run, user=request.user, filename=filename)
            return Response(
                ImportJobSerializer(job).data,
                status=status.HTTP_202_ACCEPTED,
                headers={"Location": f"/api/v1/imports/jobs/{job.pk}/"},
            )
        report = catalog_import_csv(content=content, dry_run=dry_run, user=request.user)
        if not report.ok:
            code = status.HTTP_400_BAD_REQUEST
        else:
            code = status.HTTP_201_CREATED if report.applied else status.HTTP_200_OK
        return Response(ImportReportSerializer(report.as_dict()).data, status=code)


@extend_schema(tags=["imports"])
class ImportJobViewSet(viewsets.ReadOnlyModelViewSet):
    """Background catalog imports, newest first: status, progress and the report."""

    queryset = ImportJob.objects.select_related("created_by").defer("content")
    serializer_class = ImportJobSerializer
