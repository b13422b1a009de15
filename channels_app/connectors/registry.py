"""The connector registry: ``@connector_register`` fills it; the engine looks kinds up here.

Connector packages are imported from ``ChannelsAppConfig.ready()`` (the modules listed in
``settings.CHANNELS_CONNECTOR_MODULES``), so registration happens once per process.
"""

from __future__ import annotations

from django.conf import settings

from channels_app.connectors.base import AccountConfig, Connector
from channels_app.connectors.http import ChannelHttp

_registry: dict[str, type[Connector]] = {}


class UnknownConnector(LookupError):
    """No connector is registered under that kind."""


def connector_register(cls: type[Connector]) -> type[Connector]:
    """Class decorator: register a connector under its ``kind`` (a second kind clash is an error)."""
    if not cls.kind:
        raise ValueError(f"{cls.__name__} has no kind")
    existing = _registry.get(cls.kind)
    if existing is not None and existing is not cls:
        raise ValueError(f"Connector kind {cls.kind!r} is already registered by {existing.__name__}")
    _registry[cls.kind] = cls
    return cls


def connector_class_get(*, kind: str) -> type[Connector]:
    """The connector class registered under ``kind``; raises UnknownConnector."""
    try:
        return _registry[kind]
    except KeyError:
        raise UnknownConnector(f"No connector of kind {kind!r}") from None


def connector_kinds() -> list[str]:
    """Every registered kind, sorted."""
    return sorted(_registry)


def connector_build(*, kind: str, config: AccountConfig) -> Connector:
    """Instantiate the connector of ``kind`` with an HTTP client confined to ``config.base_url``
    and the engine's per-operation throttle on the shared limiter (``rate_limits``)."""
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
    return cls(config=config, http=http, throttle=throttle)
