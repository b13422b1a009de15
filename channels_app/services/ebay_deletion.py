"""eBay's marketplace account deletion notices (mandatory for every eBay app).

What deletion means here: stockmaster keeps no eBay buyer's personal data (the connector maps
orders without buyer name, user name, address or e-mail: stock needs only order ids, SKUs and
quantities), so a notice for a buyer has nothing to erase. A notice for a connected *seller*
(the account option ``seller_user`` equal to its user name or user id) erases that account's
eBay tokens and disables the account; its stock history stays (it is the shop's own ledger).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.db import transaction

from channels_app.models import ChannelAccount, ChannelToken

logger = logging.getLogger(__name__)


def ebay_accounts_for_deletion() -> list[ChannelAccount]:
    """Every eBay account (one of them verifies the notice with the app's keyset)."""
    return list(ChannelAccount.objects.filter(kind="ebay").order_by("-enabled", "pk"))


def ebay_account_deletion_apply(*, notification_id: str, data: Mapping[str, object]) -> list[int]:
    """Apply one verified deletion notice (see the module); the ids of the accounts it erased.
    Idempotent: a repeated notice finds nothing left to erase."""
    names = {str(data.get(key) or "").strip().lower() for key in ("username", "userId", "eiasToken")} - {""}
    erased = []
    with transaction.atomic():
        for account in ChannelAccount.objects.select_for_update().filter(kind="ebay"):
            seller = str(account.options.get("seller_user") or "").strip().lower()
            if not seller or seller not in names:
                continue
            ChannelToken.objects.filter(account=account).delete()
            ChannelAccount.objects.filter(pk=account.pk).update(
                enabled=False,
                last_error=f"eBay deleted the seller's account (notice {notification_id[:80]}): its tokens "
                "were erased and the account disabled",
            )
            erased.append(account.pk)
    logger.info("eBay account deletion notice %s: erased accounts %s", notification_id[:80], erased)
    return erased
