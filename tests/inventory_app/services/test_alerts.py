"""E-mail alerts: new conditions mailed once, channel failures only once they persist, a daily digest."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from inventory_app.dashboard_hooks import (
    ChannelHealth,
    channel_health_provider_register,
    channel_health_provider_unregister,
)
from inventory_app.models import AlertState
from inventory_app.services.alerts import alerts_digest_send, alerts_notify
from inventory_app.services.reorder import reorder_rule_set
from inventory_app.services.stock import stock_receive
from tests.factories import LocationFactory, SKUFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.ALERTS_EMAILS = ["ops@example.com"]
    settings.ALERTS_DIGEST = False
    settings.ALERTS_PERSIST_MINUTES = 15


@pytest.fixture
def failing_channel():
    def provider():
        return [
            ChannelHealth(
                sales_channel_id=7,
                name="Shop Z",
                kind="generic",
                enabled=True,
                lag_seconds=600.0,
                last_order_at=None,
                waiting=4,
                failing=4,
                failed_events=0,
                drift_24h=0,
                daily_budget_left=None,
                last_error="HTTP 503",
            )
        ]

    channel_health_provider_register(provider)
    yield provider
    channel_health_provider_unregister(provider)


@pytest.fixture
def low_mug():
    wh = LocationFactory(code="WH1")
    mug = SKUFactory(code="MUG")
    stock_receive(sku=mug, location=wh, quantity=2)
    reorder_rule_set(sku=mug, location=wh, reorder_point=5, reorder_quantity=10)
    return mug


def test_low_stock_is_mailed_once_while_it_lasts(low_mug):
    now = timezone.now()

    first = alerts_notify(now=now)
    second = alerts_notify(now=now + timedelta(minutes=5))

    assert (first, second) == (1, 0)
    (message,) = mail.outbox
    assert message.to == ["ops@example.com"]
    assert "Low stock: MUG" in message.body


def test_a_channel_failure_is_mailed_only_once_it_has_persisted(failing_channel):
    now = timezone.now()

    early = alerts_notify(now=now)
    later = alerts_notify(now=now + timedelta(minutes=16))

    assert (early, later) == (0, 1)
    assert "Shop Z: 4 listing push(es) failing; last error: HTTP 503" in mail.outbox[0].body


def test_a_cleared_condition_is_forgotten_and_mailed_again_if_it_comes_back(low_mug):
    alerts_notify()
    stock_receive(sku=low_mug, location=low_mug.levels.get().location, quantity=50)
    alerts_notify()

    assert not AlertState.objects.exists()
    assert len(mail.outbox) == 1


def test_digest_mode_mails_once_a_day_with_every_condition(settings, low_mug, failing_channel):
    settings.ALERTS_DIGEST = True

    immediate = alerts_notify()
    listed = alerts_digest_send()

    assert (immediate, listed) == (0, 2)
    (digest,) = mail.outbox
    assert "daily digest: 2 alert(s)" in digest.subject
    assert "Low stock: MUG" in digest.body and "Shop Z" in digest.body


def test_without_alerts_emails_the_managers_with_an_address_get_them(settings, low_mug):
    settings.ALERTS_EMAILS = []
    UserFactory(username="boss", email="boss@example.com", role="manager")
    UserFactory(username="clerk", email="clerk@example.com", role="operator")

    alerts_notify()

    assert mail.outbox[0].to == ["boss@example.com"]
