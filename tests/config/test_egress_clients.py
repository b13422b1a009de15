"""Every outbound vendor client goes through the egress guard: channels, shipping (and Shippo label
downloads), the accounting API, the OAuth token endpoint and Xero's connections call.

Each client is driven at a URL and must refuse loopback, private, CGNAT and the IPv6 forms of
them, connect to the address it checked when a name rebinds, and not follow a redirect to
another host.
"""

from __future__ import annotations

import socket
from datetime import UTC, datetime

import pytest

from accounting_app.exporters.dto import ConnectionConfig, TokenSet
from accounting_app.exporters.endpoints import EndpointRefused
from accounting_app.exporters.errors import ExporterError
from accounting_app.exporters.errors import RetryableError as AccountingRetryable
from accounting_app.exporters.http import VendorHttp
from accounting_app.exporters.oauth import token_request
from accounting_app.exporters.xero.exporter import XeroExporter
from channels_app.connectors.errors import ConnectorError
from channels_app.connectors.errors import RetryableError as ChannelRetryable
from channels_app.connectors.http import ChannelHttp
from config.egress import HostRefused
from shipping_app.providers.base import ProviderError, RetryableProviderError
from shipping_app.providers.http import ProviderHttp
from shipping_app.providers.shippo.client import ShippoClient
from tests.config.egress_helpers import PUBLIC_IP, ScriptedResolver, loopback_server


class _Tokens:
    def access_token(self) -> str:
        return "access-1"

    def refresh(self, *, rejected: str) -> str:
        return "access-2"


def _channel(url, private):
    return ChannelHttp(base_url=url, allow_private=private).request("GET", "ping")


def _shipping(url, private):
    return ProviderHttp(base_url=url, max_retries=0).request("GET", "ping")


def _shippo_label(url, private):
    shippo = ShippoClient(base_url="https://api.goshippo.com", token="shippo_test_x")
    return shippo.document_get(url=url + "label.pdf")


def _accounting_api(url, private):
    return VendorHttp(base_url=url, tokens=_Tokens(), error_raiser=lambda r: None).request("GET", "ping")


def _token_endpoint(url, private):
    return token_request(token_url=url + "token", client_id="id", client_secret="s3cret", data={"code": "c"})


def _xero_connections(url, private):
    config = ConnectionConfig(connection_id=1, client_id="id", client_secret="s3cret", api_base_url=url)
    tokens = TokenSet(access_token="a", refresh_token="r", expires_at=datetime.now(UTC))
    return XeroExporter(config=config).tenant_discover(tokens=tokens, callback={})


# (call, refused error, retryable error)
CLIENTS = {
    "channel": (_channel, (ConnectorError, HostRefused), ChannelRetryable),  # HostRefused: a bad base URL
    "shipping": (_shipping, ProviderError, RetryableProviderError),
    "shippo-label": (_shippo_label, ProviderError, RetryableProviderError),
    "accounting-api": (_accounting_api, EndpointRefused, AccountingRetryable),
    "token-endpoint": (_token_endpoint, EndpointRefused, AccountingRetryable),
    "xero-connections": (_xero_connections, EndpointRefused, AccountingRetryable),
}
REFUSED_URLS = [
    "https://127.0.0.1/",
    "https://10.0.0.5/",
    "https://192.168.0.10:8443/",
    "https://169.254.169.254/",
    "https://100.64.0.1/",
    "https://[::1]/",
    "https://[::ffff:127.0.0.1]/",
    "https://[fd00::1]/",
    "https://[fe80::1]/",
    "https://[2002:a00:1::1]/",
    "https://[64:ff9b::a00:1]/",
    "https://[2001:0:4136:e378::1]/",
]


@pytest.fixture(autouse=True)
def _production_rules(settings):
    settings.CHANNELS_ALLOW_PRIVATE_HOSTS = False
    settings.SHIPPING_ALLOW_PRIVATE_HOSTS = False
    settings.ACCOUNTING_ALLOW_PRIVATE_HOSTS = False
    settings.SHIPPING_HTTP_RETRIES = 0


@pytest.fixture
def resolver(monkeypatch):
    scripted = ScriptedResolver(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", scripted)
    return scripted


@pytest.fixture
def connects(monkeypatch):
    attempts: list[tuple] = []
    inner = socket.socket.connect

    def recording(self, address):
        attempts.append(address[:2] if isinstance(address, tuple) else address)
        return inner(self, address)

    monkeypatch.setattr(socket.socket, "connect", recording)
    return attempts


@pytest.mark.parametrize("client", CLIENTS)
@pytest.mark.parametrize("url", REFUSED_URLS)
def test_non_public_hosts_are_refused_without_a_connect(client, url, connects):
    call, refused, _ = CLIENTS[client]

    with pytest.raises(refused) as caught:
        call(url, False)

    assert not isinstance(caught.value, (ChannelRetryable, RetryableProviderError, AccountingRetryable))
    assert connects == []


@pytest.mark.parametrize("client", CLIENTS)
def test_plain_http_is_refused(client, connects):
    call, refused, _ = CLIENTS[client]

    with pytest.raises(refused):
        call("http://shop.example.com/", False)
    assert connects == []


@pytest.mark.parametrize("client", CLIENTS)
def test_a_rebinding_host_is_connected_at_the_checked_public_address(client, resolver, connects):
    call, _, retryable = CLIENTS[client]
    host = "api.xero.com" if client == "xero-connections" else "vendor.example.com"
    resolver.script(host, PUBLIC_IP, "127.0.0.1")
    with loopback_server() as server:
        port = 443 if client == "xero-connections" else server.server_address[1]
        url = f"https://{host}/" if port == 443 else f"https://{host}:{port}/"

        with pytest.raises(retryable):
            call(url, False)

        assert resolver.lookups[host] == 1
        assert connects == [(PUBLIC_IP, port)]
        assert server.hits == []


@pytest.mark.parametrize("client", CLIENTS)
def test_a_redirect_to_another_host_is_not_followed(client, settings):
    settings.SHIPPING_ALLOW_PRIVATE_HOSTS = True
    settings.ACCOUNTING_ALLOW_PRIVATE_HOSTS = True
    call, refused, _ = CLIENTS[client]
    with loopback_server() as server:
        url = f"http://127.0.0.1:{server.server_address[1]}/away/"

        with pytest.raises(Exception) as caught:
            call(url, True)

        assert isinstance(caught.value, (refused, ExporterError))
        assert [path for _, path, _ in server.hits if path == "/landed"] == []
        assert len(server.hits) == 1
