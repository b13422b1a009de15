"""Rakuten France state the engine's generic tables do not hold: the stock-file ledger (the
10-files-an-hour budget, shared by every worker) and the answer given to each sold item
(accept or refuse, decided once, before the call)."""

from __future__ import annotations

from django.db import models


class RakutenImportFileStatus(models.TextChoices):
    """Where one genericimportfile upload stands."""

    SENDING = "sending", "Slot taken, upload under way"
    SENT = "sent", "Uploaded, report awaited"
    DONE = "done", "Report read: processed"
    REFUSED = "refused", "Upload refused (still counted in the hour's budget)"


class RakutenImportFile(models.Model):
    """One stock file of an account. A row is written (the slot taken) before the upload, so
    the rolling-hour count covers uploads whose answer was lost; it is never deleted early."""

    account = models.ForeignKey("channels_app.ChannelAccount", on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField(db_index=True)
    status = models.CharField(
        max_length=16, choices=RakutenImportFileStatus.choices, default=RakutenImportFileStatus.SENDING
    )
    import_id = models.CharField(max_length=64, blank=True)
    items = models.PositiveIntegerField(default=0)
    urgent = models.BooleanField(default=False, help_text="Sent ahead of the window for a drop to zero.")
    report_status = models.CharField(max_length=64, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        indexes = [models.Index(fields=["account", "sent_at"], name="rakuten_file_account_sent")]

    def __str__(self) -> str:
        return f"Rakuten file {self.import_id or self.pk} ({self.status})"


class RakutenAnswerDecision(models.TextChoices):
    ACCEPT = "accept", "Accept"
    REFUSE = "refuse", "Refuse"


class RakutenAnswerState(models.TextChoices):
    DECIDED = "decided", "Decided, not yet answered"
    ANSWERED = "answered", "Answered"
    ANSWERED_ELSEWHERE = "elsewhere", "No longer awaiting an answer on Rakuten"


class RakutenSaleAnswer(models.Model):
    """Our answer to one sold item (``itemid``): decided once, stored before acceptsale /
    refusesale is called, so a retry (or another worker) never answers it differently or twice."""

    account = models.ForeignKey("channels_app.ChannelAccount", on_delete=models.CASCADE, related_name="+")
    purchase_id = models.CharField(max_length=64)
    item_id = models.CharField(max_length=64)
    decision = models.CharField(max_length=8, choices=RakutenAnswerDecision.choices)
    state = models.CharField(
        max_length=16, choices=RakutenAnswerState.choices, default=RakutenAnswerState.DECIDED
    )
    attempts = models.PositiveIntegerField(default=0)
    attempted_at = models.DateTimeField(
        null=True, blank=True, help_text="Last call started; another worker waits out the lease."
    )
    last_error = models.TextField(blank=True)
    decided_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["account", "item_id"], name="rakuten_answer_item_unique")
        ]

    def __str__(self) -> str:
        return f"Rakuten item {self.item_id}: {self.decision} ({self.state})"
