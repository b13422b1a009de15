"""Channel API routes, mounted under api/v1/ by config/urls.py."""

from __future__ import annotations

from rest_framework.routers import DefaultRouter

from channels_app.api.views import (
    ChannelAccountViewSet,
    InboundEventViewSet,
    ListingViewSet,
    OrderPushViewSet,
)

router = DefaultRouter()
router.include_root_view = False
router.trailing_slash = "/?"
router.register("channel-accounts", ChannelAccountViewSet, basename="channel-account")
router.register("channel-listings", ListingViewSet, basename="channel-listing")
router.register("channel-events", InboundEventViewSet, basename="channel-event")
router.register("channel-order-pushes", OrderPushViewSet, basename="channel-order-push")

app_name = "channels-api"
urlpatterns = router.urls
