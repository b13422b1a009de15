"""Serializers of the accounting API (input and output, thin)."""

from __future__ import annotations

from rest_framework import serializers

from accounting_app.models import AccountingConnection, ExportDocument


class ConnectionOutputSerializer(serializers.ModelSerializer):
    """A connection without any secret."""

    # plain strings: their choice sets share names with other apps' enums in the OpenAPI schema
    kind = serializers.CharField(read_only=True, help_text="xero or quickbooks")
    status = serializers.CharField(read_only=True, help_text="new, connected, needs_reconnect, disabled")

    class Meta:
        model = AccountingConnection
        fields = [
            "id",
            "kind",
            "name",
            "status",
            "tenant_id",
            "tenant_name",
            "sales_mode",
            "cogs_mode",
            "customer_mode",
            "post_purchases",
            "post_adjustments",
            "export_from",
            "exported_through",
            "schedule_enabled",
            "last_error",
        ]


class PeriodInputSerializer(serializers.Serializer):
    """A period of whole days."""

    date_from = serializers.DateField()
    date_to = serializers.DateField()

    def validate(self, attrs):
        if attrs["date_to"] < attrs["date_from"]:
            raise serializers.ValidationError("date_to is before date_from")
        if (attrs["date_to"] - attrs["date_from"]).days >= 31:
            raise serializers.ValidationError("At most 31 days at once")
        return attrs


class PreviewRowSerializer(serializers.Serializer):
    """One planned document and the body that would be sent."""

    source_key = serializers.CharField()
    kind = serializers.CharField()
    reference = serializers.CharField()
    date = serializers.DateField()
    amount = serializers.DecimalField(max_digits=16, decimal_places=2)
    status = serializers.CharField()
    external_id = serializers.CharField()
    payload = serializers.JSONField()


class DocumentOutputSerializer(serializers.ModelSerializer):
    """One export log entry."""

    kind = serializers.CharField(
        read_only=True,
        help_text="sales_invoice, sales_receipt, cogs_journal, bill, bill_credit, adjustment_journal",
    )
    status = serializers.CharField(read_only=True, help_text="pending, posting, posted, failed")
    total_check = serializers.CharField(
        read_only=True,
        help_text="pending (not read back yet), matches, differs (flagged: the vendor's total, "
        "vendor_total, differs from ours, expected_total)",
    )

    class Meta:
        model = ExportDocument
        fields = [
            "id",
            "connection",
            "kind",
            "source_key",
            "reference",
            "document_date",
            "amount",
            "status",
            "external_id",
            "recovered",
            "total_check",
            "expected_total",
            "vendor_total",
            "attempts",
            "error",
            "payload",
            "response",
            "corrects",
            "posted_at",
        ]


class EnqueuedOutputSerializer(serializers.Serializer):
    """The work was put on the queue (it runs after this answer)."""

    enqueued = serializers.BooleanField()
