"""Catalog endpoints: products, SKUs (with kit components and per-SKU availability), locations.

Reads need the viewer role, writes the manager role. Writes go through services/catalog.py.
"""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from inventory_app.api.filters import SKUFilter, updated_range_filterset
from inventory_app.api.idempotency import idempotent
from inventory_app.api.serializers.catalog import (
    KitComponentInputSerializer,
    LocationCreateInputSerializer,
    LocationOutputSerializer,
    LocationUpdateInputSerializer,
    ProductInputSerializer,
    ProductOutputSerializer,
    SKUInputSerializer,
    SKUOutputSerializer,
)
from inventory_app.api.serializers.stock import SKUAvailabilityOutputSerializer
from inventory_app.models import SKU, KitComponent, Location, Product, StockLevel
from inventory_app.selectors.availability import sku_available_to_sell
from inventory_app.services.catalog import (
    kit_component_set,
    location_create,
    location_update,
    product_create,
    product_update,
    sku_create,
    sku_update,
)


class _ReadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    write_role = "manager"
    http_method_names = ["get", "post", "patch", "head", "options"]


@extend_schema(tags=["catalog"])
@extend_schema_view(
    create=extend_schema(request=ProductInputSerializer, responses={201: ProductOutputSerializer}),
    partial_update=extend_schema(request=ProductInputSerializer, responses={200: ProductOutputSerializer}),
)
class ProductViewSet(_ReadViewSet):
    """Products, oldest change first. Search by name or brand; ?updated_after= ?updated_before=."""

    queryset = Product.objects.all()
    serializer_class = ProductOutputSerializer
    filterset_class = updated_range_filterset(Product)
    search_fields = ["name", "brand"]
    ordering = ["updated_at", "id"]
    ordering_fields = ["name", "created_at", "updated_at", "id"]

    @idempotent
    def create(self, request: Request) -> Response:
        data = ProductInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        product = product_create(**data.validated_data)
        return Response(ProductOutputSerializer(product).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        data = ProductInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        product = product_update(product=self.get_object(), **data.validated_data)
        return Response(ProductOutputSerializer(product).data)


def _sku_queryset():
    components = KitComponent.objects.select_related("component").order_by("component__code")
    return SKU.objects.prefetch_related(Prefetch("components", queryset=components))


@extend_schema(tags=["catalog"])
@extend_schema_view(
    create=extend_schema(request=SKUInputSerializer, responses={201: SKUOutputSerializer}),
    partial_update=extend_schema(request=SKUInputSerializer, responses={200: SKUOutputSerializer}),
)
class SKUViewSet(_ReadViewSet):
    """SKUs, oldest change first. Filter by code, barcode, product, is_kit, is_active, updated range;
    search by code, barcode or name."""

    queryset = _sku_queryset()
    serializer_class = SKUOutputSerializer
    filterset_class = SKUFilter
    search_fields = ["code", "barcode", "name"]
    ordering = ["updated_at", "id"]
    ordering_fields = ["code", "name", "created_at", "updated_at", "id"]

    @idempotent
    def create(self, request: Request) -> Response:
        data = SKUInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        sku = sku_create(**data.validated_data)
        return Response(SKUOutputSerializer(_sku_queryset().get(pk=sku.pk)).data, status=201)

    def partial_update(self, request: Request, pk: str) -> Response:
        data = SKUInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        sku = sku_update(sku=self.get_object(), **data.validated_data)
        return Response(SKUOutputSerializer(_sku_queryset().get(pk=sku.pk)).data)

    @extend_schema(
        request=KitComponentInputSerializer,
        responses={200: SKUOutputSerializer},
        summary="Set a kit component",
        description="Sets how many units of a component one kit holds; quantity 0 removes it.",
    )
    @action(detail=True, methods=["post"], url_path="components")
    def components(self, request: Request, pk: str) -> Response:
        kit = self.get_object()
        data = KitComponentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        kit_component_set(kit=kit, **data.validated_data)
        return Response(SKUOutputSerializer(_sku_queryset().get(pk=kit.pk)).data)

    @extend_schema(
        responses={200: SKUAvailabilityOutputSerializer},
        summary="Availability of one SKU",
        description="Units available to sell over the active sellable locations, and per active location.",
        filters=False,
    )
    @action(detail=True, methods=["get"], url_path="availability", pagination_class=None)
    def availability(self, request: Request, pk: str) -> Response:
        sku = self.get_object()
        locations = list(Location.objects.filter(is_active=True))
        levels = {lv.location_id: lv for lv in StockLevel.objects.filter(sku=sku)}
        rows = []
        for location in locations:
            level = levels.get(location.pk)
            if sku.is_kit:
                here = sku_available_to_sell(sku_ids=[sku.pk], location_ids=[location.pk])[sku.pk]
            else:
                here = level.available if level else 0
            rows.append(
                {
                    "location": location.pk,
                    "location_code": location.code,
                    "is_sellable": location.is_sellable,
                    "on_hand": None if sku.is_kit else (level.on_hand if level else 0),
                    "committed": None if sku.is_kit else (level.committed if level else 0),
                    "available": here,
                }
            )
        body = {
            "sku": sku.pk,
            "code": sku.code,
            "is_kit": sku.is_kit,
            "available": sku_available_to_sell(sku_ids=[sku.pk])[sku.pk],
            "locations": rows,
        }
        return Response(SKUAvailabilityOutputSerializer(body).data)


@extend_schema(tags=["catalog"])
@extend_schema_view(
    create=extend_schema(request=LocationCreateInputSerializer, responses={201: LocationOutputSerializer}),
    partial_update=extend_schema(
        request=LocationUpdateInputSerializer, responses={200: LocationOutputSerializer}
    ),
)
class LocationViewSet(_ReadViewSet):
    """Stock locations. Filter by is_sellable, is_active; search by code or name."""

    queryset = Location.objects.all()
    serializer_class = LocationOutputSerializer
    filterset_fields = ["is_sellable", "is_active", "code"]
    search_fields = ["code", "name"]
    ordering_fields = ["priority", "code", "id"]

    @idempotent
    def create(self, request: Request) -> Response:
        data = LocationCreateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        location = location_create(**data.validated_data)
        return Response(LocationOutputSerializer(location).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        data = LocationUpdateInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        location = location_update(location=self.get_object(), **data.validated_data)
        return Response(LocationOutputSerializer(location).data)
