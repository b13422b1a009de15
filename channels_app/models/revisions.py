"""Revisions a channel counted per listing and calendar day (eBay: 250 per listing per day)."""

from __future__ import annotations

from django.db import models


class ListingRevisionCount(models.Model):
    """How many revisions of one channel listing (``listing_ref``: eBay's listingId) were spent
    on ``day`` (a day key such as ``PT2026-12-07`` or ``UTC2026-12-07``)."""

    account = models.ForeignKey("channels_app.ChannelAccount", on_delete=models.CASCADE, related_name="+")
    listing_ref = models.CharField(max_length=64)
    day = models.CharField(max_length=16)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["account", "listing_ref", "day"], name="uniq_listing_revision_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.listing_ref} {self.day}: {self.count}"
