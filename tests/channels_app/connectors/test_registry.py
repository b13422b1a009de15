"""The connector registry and the generic connector's webhook verification."""

from __future__ import annotations

import pytest

from channels_app.connectors.base import capabilities_of
from channels_app.connectors.dto import AccountConfig
from channels_app.connectors.errors import WebhookPayloadError, WebhookSignatureError
from channels_app.connectors.generic.connector import GenericConnector, webhook_signature
from channels_app.connectors.registry import (
    connector_build,
    connector_class_get,
    connector_kinds,
    connector_register,
)
from config.integrations.registry import UnknownKind


def _generic(**options) -> GenericConnector:
    config = AccountConfig(
        account_id=1,
        base_url="https://shop.example.com/api/",
        credentials={"api_key": "k", "webhook_secret": "s3cret"},
        options=options,
    )
    return connector_build(kind="generic", config=config)


def test_registry_knows_the_generic_kind_and_refuses_unknown_and_clashing_kinds():
    class Impostor(GenericConnector):
        kind = "generic"

    assert "generic" in connector_kinds()
    assert connector_class_get(kind="generic") is GenericConnector
    with pytest.raises(UnknownKind, match="No connector of kind 'nope'"):
        connector_class_get(kind="nope")
    with pytest.raises(ValueError, match="already registered"):
        connector_register(Impostor)


def test_generic_capabilities_come_from_its_classes_and_its_push_mode_from_options():
    assert capabilities_of(GenericConnector) == ["ReceivesWebhooks", "ConfirmsFulfilment"]
    assert (_generic().quantity_mode, _generic(quantity_mode="delta").quantity_mode) == ("cas", "delta")
    assert (_generic(quantity_mode="set").quantity_mode, _generic(quantity_mode="set").batch_max) == (
        "set",
        50,
    )
    assert _generic(rate_per_second=3, burst=2).rate_limit.per_second == 3.0


def test_webhook_signature_is_checked_before_parsing():
    connector = _generic()
    body = b'{"event_id": "e1", "topic": "order.created", "order": {"bad": true}}'

    with pytest.raises(WebhookSignatureError):
        connector.webhook_verify(headers={"X-Channel-Signature": "sha256=00"}, body=body)
    with pytest.raises(WebhookSignatureError):
        connector.webhook_verify(headers={}, body=body)
    connector.webhook_verify(
        headers={"x-channel-signature": webhook_signature(secret="s3cret", body=body)}, body=body
    )
    with pytest.raises(WebhookPayloadError):
        connector.webhook_parse(headers={}, body=body)


def test_connectors_are_built_with_the_engines_per_operation_throttle():
    from channels_app.connectors.amazon.connector import AmazonConnector
    from channels_app.services.ratelimit import OperationThrottle

    connector = _generic()
    amazon_limits = AmazonConnector.rate_limits

    assert isinstance(connector.throttle, OperationThrottle)
    assert connector.throttle.limits == {}
    assert connector.throttle.key("anything") == "channel-account:1:anything"
    assert (amazon_limits["getOrders"].per_second, amazon_limits["getOrders"].burst) == (0.0167, 20)
    patch = amazon_limits["patchListingsItem"]
    assert (patch.per_second, patch.burst) == (5.0, 5)
