"""The connector registry: ``@connector_register`` fills it; the engine looks kinds up here.

Connector packages are imported from ``ChannelsAppConfig.ready()`` (the modules listed in
``settings.CHANNELS_CONNECTOR_MODULES``), so registration happens once per process.
"""

from __future__ import annotations

from django.conf import settings

from channels_app.connectors.base import Connector, StoresTokens
from channels_app.connectors.dto import AccountConfig
from channels_app.connectors.http import ChannelHttp
from channels_app.connectors.kinds import KindRegistry


class UnknownConnector(LookupError):
    """No connector is registered under that kind."""


_registry: KindRegistry[type[Connector]] = KindRegistry(
    noun="Connector", unknown=lambda kind: UnknownConnector(f"No connector of kind {kind!r}")
)


def connector_register(cls: type[Connector]) -> type[Connector]:
    """Class decorator: register a connector under its ``kind`` (a second kind clash is an error)."""
    return _registry.register(cls)


def connector_class_get(*, kind: str) -> type[Connector]:
    """The connector class registered under ``kind``; raises UnknownConnector."""
    return _registry.get(kind)


def connector_kinds() -> list[str]:
    """Every registered kind, sorted."""
    return _registry.kinds()


def connector_build(*, kind: str, config: AccountConfig) -> Connector:
    """Instantiate the connector of ``kind`` with an HTTP client confined to ``config.base_url``
    and the engine's per-operation throttle on the shared limiter (``rate_limits``); a connector
    that ``StoresTokens`` also gets the account's shared token store."""
    from channels_app.services.ratelimit import OperationThrottle

    cls = connector_class_get(kind=kind)
    http = ChannelHttp(
        base_url=config.base_url,
        allow_private=getattr(settings, "CHANNELS_ALLOW_PRIVATE_HOSTS", False),
        connect_timeout=getattr(settings, "CHANNELS_HTTP_CONNECT_TIMEOUT", 5.0),
        read_timeout=getattr(settings, "CHANNELS_HTTP_READ_TIMEOUT", 20.0),
        secrets=[v for k, v in config.credentials.items() if k in cls.secret_fields and v],
    )
    throttle = OperationThrottle(
        account_id=config.account_id,
        limits=cls.rate_limits,
        max_wait=float(getattr(settings, "CHANNELS_THROTTLE_MAX_WAIT", 30.0)),
    )
    if issubclass(cls, StoresTokens):
        from channels_app.services.tokens import AccountTokenStore

        tokens = AccountTokenStore(account_id=config.account_id)
        return cls(config=config, http=http, throttle=throttle, tokens=tokens)
    return cls(config=config, http=http, throttle=throttle)
