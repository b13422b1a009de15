"""Serializers of events, webhook endpoints and deliveries."""

from __future__ import annotations

from rest_framework import serializers

from inventory_app.models import Event, EventType, WebhookAttempt, WebhookDelivery, WebhookEndpoint


class EventOutputSerializer(serializers.ModelSerializer):
    """One event: ``id`` (stable, also the deliveries' Webhook-Id), type, time, ordering key, data."""

    id = serializers.CharField(source="public_id")
    sequence = serializers.IntegerField(source="seq")
    data = serializers.JSONField(source="payload")

    class Meta:
        model = Event
        fields = ["id", "type", "sequence", "key", "occurred_at", "data"]


class EventPageOutputSerializer(serializers.Serializer):
    """A page of events; ask again with ``after=next_cursor`` (given even when the page is empty)."""

    results = EventOutputSerializer(many=True)
    next_cursor = serializers.CharField()
    has_more = serializers.BooleanField()


class EventQuerySerializer(serializers.Serializer):
    """The query of the events list."""

    after = serializers.CharField(required=False, help_text="A next_cursor from an earlier page.")
    types = serializers.CharField(required=False, help_text="Comma-separated event types.")
    limit = serializers.IntegerField(required=False, min_value=1, max_value=500, default=100)


class WebhookEndpointInputSerializer(serializers.Serializer):
    """Register or change an endpoint."""

    url = serializers.URLField(max_length=500)
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=EventType.choices), min_length=1
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class WebhookEndpointOutputSerializer(serializers.ModelSerializer):
    """An endpoint (its secret is shown only when created or rotated)."""

    event_types = serializers.ListField(child=serializers.CharField(), help_text="Event types sent here.")

    class Meta:
        model = WebhookEndpoint
        fields = [
            "id",
            "url",
            "description",
            "event_types",
            "is_active",
            "failing_since",
            "disabled_at",
            "disabled_reason",
            "previous_secret_until",
            "created_at",
            "updated_at",
        ]


class WebhookEndpointSecretOutputSerializer(WebhookEndpointOutputSerializer):
    """An endpoint with its new secret: shown this once."""

    secret = serializers.CharField()

    class Meta(WebhookEndpointOutputSerializer.Meta):
        fields = [*WebhookEndpointOutputSerializer.Meta.fields, "secret"]


class WebhookAttemptOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookAttempt
        fields = ["attempted_at", "status_code", "error", "duration_ms"]


class WebhookDeliveryOutputSerializer(serializers.ModelSerializer):
    """One event for one endpoint, with its tries."""

    event_id = serializers.CharField(source="event.public_id")
    event_type = serializers.CharField(source="event.type")
    log = WebhookAttemptOutputSerializer(many=True)

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "endpoint",
            "event_id",
            "event_type",
            "seq",
            "key",
            "status",
            "attempts",
            "next_attempt_at",
            "give_up_at",
            "last_attempt_at",
            "last_status_code",
            "last_error",
            "delivered_at",
            "created_at",
            "log",
        ]
