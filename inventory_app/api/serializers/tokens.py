"""Serializers of API tokens. The plain key appears only in the creation answer."""

from __future__ import annotations

from django.utils import timezone
from rest_framework import serializers

from inventory_app.models import ApiToken


class ApiTokenOutputSerializer(serializers.ModelSerializer):
    """A token as listed: never its key nor its hash."""

    user = serializers.SlugRelatedField(slug_field="username", read_only=True)
    is_active = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = [
            "id",
            "name",
            "prefix",
            "user",
            "created_at",
            "expires_at",
            "last_used_at",
            "revoked_at",
            "is_active",
        ]
        read_only_fields = fields

    def get_is_active(self, obj: ApiToken) -> bool:
        """Neither revoked nor expired."""
        return obj.revoked_at is None and (obj.expires_at is None or obj.expires_at > timezone.now())


class ApiTokenCreatedOutputSerializer(ApiTokenOutputSerializer):
    """A new token, with its plain key: shown this once and never again."""

    key = serializers.CharField(read_only=True)

    class Meta(ApiTokenOutputSerializer.Meta):
        fields = [*ApiTokenOutputSerializer.Meta.fields, "key"]
        read_only_fields = fields


class ApiTokenCreateInputSerializer(serializers.Serializer):
    """A name to recognise the token by and an optional expiry in the future."""

    name = serializers.CharField(max_length=100)
    expires_at = serializers.DateTimeField(required=False, allow_null=True, default=None)

    def validate_expires_at(self, value):
        if value is not None and value <= timezone.now():
            raise serializers.ValidationError("Must be in the future.")
        return value
