"""Models of the sync engine. Import from here: ``from channels_app.models import Listing``."""

from .accounts import ChannelAccount, SyncCursor
from .events import DriftRecord, InboundEvent, InboundEventStatus, PushRecord
from .listings import Listing
from .order_pushes import ChannelOrderPush, OrderPushKind, OrderPushStatus
from .rakuten import RakutenImportFile, RakutenSaleAnswer
from .ratelimit import RateLimitBucket
from .revisions import ListingRevisionCount
from .tokens import ChannelToken

__all__ = [
    "ChannelAccount",
    "ChannelOrderPush",
    "ChannelToken",
    "DriftRecord",
    "InboundEvent",
    "InboundEventStatus",
    "Listing",
    "ListingRevisionCount",
    "OrderPushKind",
    "OrderPushStatus",
    "PushRecord",
    "RakutenImportFile",
    "RakutenSaleAnswer",
    "RateLimitBucket",
    "SyncCursor",
]
