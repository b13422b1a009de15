"""PostgreSQL only (a no-op elsewhere): trigram indexes for the admin's listing search (channel id,
channel SKU, title; ``config.trigram``)."""

from django.db import migrations

from config.trigram import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("channels_app", "0013_inbound_event_fetch_status"),
    ]

    operations = [
        trigram_indexes(table="channels_app_listing", columns=("external_id", "external_sku", "title")),
    ]
