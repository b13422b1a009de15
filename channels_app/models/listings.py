"""Listings: a channel's item linked to one of our SKUs, and its row in the push outbox."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class Listing(models.Model):
    """One channel item (by its external ids) linked to one SKU, with its push state.

    The listing is also the durable outbox: ``needs_push`` is set (and ``dirty_version``
    incremented) whenever the SKU's availability may have changed; a push clears it only if no
    newer change arrived meanwhile (the version it claimed is still current). ``claimed_until``
    is a lease: a worker that dies mid-push leaves the listing dirty, and after the lease another
    worker takes it. Rule fields left empty inherit the account's rules.
    """

    account = models.ForeignKey(
        "channels_app.ChannelAccount", on_delete=models.CASCADE, related_name="listings"
    )
    external_id = models.CharField(max_length=255, help_text="The id quantities are pushed to")
    external_product_id = models.CharField(max_length=255, blank=True)
    external_variant_id = models.CharField(max_length=255, blank=True)
    external_inventory_item_id = models.CharField(max_length=255, blank=True)
    external_offer_id = models.CharField(max_length=255, blank=True)
    external_sku = models.CharField(max_length=255, blank=True, db_index=True)
    title = models.CharField(max_length=500, blank=True)
    extra = models.JSONField(default=dict, blank=True, help_text="Connector-specific ids and flags")
    sku = models.ForeignKey(
        "inventory_app.SKU", on_delete=models.PROTECT, null=True, blank=True, related_name="channel_listings"
    )
    push_enabled = models.BooleanField(
        default=True, help_text="False: never pushed (e.g. channel-held stock)"
    )
    buffer = models.PositiveIntegerField(null=True, blank=True)
    percentage = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    max_published = models.PositiveIntegerField(null=True, blank=True)
    min_published = models.PositiveIntegerField(null=True, blank=True)
    adaptive_buffer = models.BooleanField(
        null=True, blank=True, help_text="The adaptive buffer for this listing (empty: the account's setting)"
    )
    # What we know of the channel side.
    last_pushed_qty = models.IntegerField(null=True, blank=True)
    last_pushed_at = models.DateTimeField(null=True, blank=True)
    last_seen_qty = models.IntegerField(null=True, blank=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    belief_shifted = models.BooleanField(
        default=False,
        help_text="The channel's own orders moved our figure of it since our last push or reading: "
        "the next push is sent even if that figure is the wanted one",
    )
    last_error = models.TextField(blank=True)
    push_failures = models.PositiveIntegerField(default=0)
    push_submission = models.CharField(
        max_length=255,
        blank=True,
        help_text="An asynchronous push the channel is still processing (e.g. an Amazon feed): "
        "the connector's token, handed back on the next push so it checks it instead of sending again",
    )
    push_submitted_at = models.DateTimeField(null=True, blank=True)
    # Outbox.
    needs_push = models.BooleanField(default=False)
    dirty_since = models.DateTimeField(null=True, blank=True)
    dirty_version = models.PositiveBigIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)
    # The Celery worker (node name) that holds the claim: a restarted worker releases its own.
    claimed_by = models.CharField(max_length=255, blank=True)
    catchup_required_after = models.DateTimeField(
        null=True, blank=True, help_text="Hold pushes until the channel's orders are taken in past this time"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["account_id", "external_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "external_id"], name="listing_account_external_id_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["updated_at", "id"], name="listing_updated_idx"
            ),  # incremental sync (updated_after, cursor)
            models.Index(
                fields=["account", "dirty_since"], name="listing_dirty_idx", condition=Q(needs_push=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.account_id}:{self.external_id}"
