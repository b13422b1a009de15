"""The connector registry: ``@connector_register`` fills it; the engine looks kinds up here.

Connector packages are imported from ``ChannelsAppConfig.ready()`` (the modules listed in
``settings.CHANNELS_CONNECTOR_MODULES``), so registration happens once per process.
"""

from __future__ import annotations

from django.conf import settings

from channels_app.connectors.base import Connector, StoresTokens
from channels_app.connectors.dto import AccountConfig
from channels_app.connectors.http import ChannelHttp
from config.integrations.registry import Registry, UnknownKind  # noqa: F401 - UnknownKind re-exported

CONNECTORS: Registry[type[Connector]] = Registry(noun="connector")

# Class decorator: register a connector under its ``kind`` (a kind clash is a ValueError).
connector_register = CONNECTORS.register
# ``connector_class_get(kind=...)``: the class registered under ``kind``; raises UnknownKind.
connector_class_get = CONNECTORS.get
# Every registered kind, sorted.
connector_kinds = CONNECTORS.kinds


def connector_build(*, kind: str, config: AccountConfig) -> Connector:
    """Instantiate the connector of ``kind`` with an HTTP client confined to ``config.base_url``
    and the engine's per-operation throttle on the shared limiter (``rate_limits``); a connector
    that ``StoresTokens`` also gets the account's shared token store."""
    from channels_app.services.ratelimit import OperationThrottle

    cls = connector_class_get(kind=kind)
    http = ChannelHttp(
        base_url=config.base_url,
        allow_private=settings.CHANNELS_ALLOW_PRIVATE_HOSTS,
        connect_timeout=settings.CHANNELS_HTTP_CONNECT_TIMEOUT,
        read_timeout=settings.CHANNELS_HTTP_READ_TIMEOUT,
        secrets=[v for k, v in config.credentials.items() if k in cls.secret_fields and v],
    )
    throttle = OperationThrottle(
        account_id=config.account_id,
        limits=cls.rate_limits,
        max_wait=float(settings.CHANNELS_THROTTLE_MAX_WAIT),
    )
    if issubclass(cls, StoresTokens):
        from channels_app.services.tokens import AccountTokenStore

        tokens = AccountTokenStore(account_id=config.account_id)
        return cls(config=config, http=http, throttle=throttle, tokens=tokens)
    return cls(config=config, http=http, throttle=throttle)
