"""Catalog CSV import endpoint (manager role): a multipart ``file`` or a ``text/csv`` body.

``dry_run`` (query string or form field) validates and reports without changing anything. A file
with any bad row imports nothing and answers 400 with every row error; a dry run that would
succeed answers 200, an applied import 201.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.parsers import BaseParser, FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from inventory_app.services.imports import catalog_import_csv

MAX_IMPORT_BYTES = 20 * 1024 * 1024
TRUE_VALUES = {"1", "true", "yes", "on"}
FALSE_VALUES = {"", "0", "false", "no", "off"}


class CSVTextParser(BaseParser):
    """A ``text/csv`` (or ``text/plain``) request body, kept as bytes for the view to decode."""

    media_type = "text/*"

    def parse(self, stream, media_type=None, parser_context=None):
        data = stream.read(MAX_IMPORT_BYTES + 1) if stream is not None else b""
        if len(data) > MAX_IMPORT_BYTES:
            raise exceptions.ParseError(f"The file is larger than {MAX_IMPORT_BYTES} bytes.")
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


def _flag(value) -> bool:
    text = str(value).strip().lower()
    if text in TRUE_VALUES:
        return True
    if text in FALSE_VALUES:
        return False
    raise exceptions.ValidationError({"dry_run": ["Must be true or false."]})


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

    @extend_schema(
        request={"multipart/form-data": ImportUploadSerializer, "text/csv": OpenApiTypes.STR},
        parameters=[
            OpenApiParameter(
                "dry_run", OpenApiTypes.BOOL, OpenApiParameter.QUERY, description="Validate only."
            )
        ],
        responses={
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
        dry_run = _flag(request.query_params.get("dry_run", ""))
        if isinstance(request.data.get("content"), bytes):  # a text/csv body
            raw = request.data["content"]
        else:
            upload = ImportUploadSerializer(data=request.data)
            upload.is_valid(raise_exception=True)
            dry_run = dry_run or upload.validated_data["dry_run"]
            file = upload.validated_data["file"]
            if file.size > MAX_IMPORT_BYTES:
                raise exceptions.ValidationError({"file": [f"Larger than {MAX_IMPORT_BYTES} bytes."]})
            raw = file.read()
        report = catalog_import_csv(content=_decode(raw), dry_run=dry_run, user=request.user)
        if not report.ok:
            code = status.HTTP_400_BAD_REQUEST
        else:
            code = status.HTTP_201_CREATED if report.applied else status.HTTP_200_OK
        return Response(ImportReportSerializer(report.as_dict()).data, status=code)
