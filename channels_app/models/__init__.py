"""Models of the sync engine. Import from here: ``from channels_app.models import Listing``."""

from .accounts import ChannelAccount, SyncCursor
from .events import DriftRecord, InboundEvent, InboundEventStatus, PushRecord
from .listings import Listing
from .ratelimit import RateLimitBucket
from .tokens import ChannelToken

__all__ = [
    "ChannelAccount",
    "ChannelToken",
    "DriftRecord",
    "InboundEvent",
    "InboundEventStatus",
    "Listing",
    "PushRecord",
    "RateLimitBucket",
    "SyncCursor",
]
