"""The egress guard: address rules, the pinned connection (rebinding, TLS to the host name)."""

from __future__ import annotations

import ipaddress
import socket

import pytest
import requests

from config.egress import ConfinedHttp, HostRefused, address_refused
from tests.config.egress_helpers import PUBLIC_IP, ScriptedResolver, loopback_server, tls_pair

REFUSED = [
    "127.0.0.1",
    "10.1.2.3",
    "172.16.0.1",
    "192.168.1.1",
    "169.254.169.254",
    "100.64.0.1",  # CGNAT
    "100.127.255.254",
    "0.0.0.0",  # noqa: S104 - an address to refuse, not one to bind
    "0.1.2.3",
    "224.0.0.1",
    "240.0.0.1",
    "255.255.255.255",
    "198.18.0.1",
    "::1",
    "::",
    "fe80::1",
    "fec0::1",  # site-local
    "fc00::1",  # ULA
    "fd12:3456::1",
    "ff02::1",
    "::ffff:127.0.0.1",  # IPv4-mapped
    "::ffff:8.8.8.8",
    "::127.0.0.1",  # IPv4-compatible
    "2002:7f00:1::1",  # 6to4 around 127.0.0.1
    "2002:a00:1::1",  # 6to4 around 10.0.0.1
    "2002:c0a8:101::1",  # 6to4 around 192.168.1.1
    "2001:0:4136:e378:8000:63bf:3fff:fdd2",  # Teredo
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::808:808",  # NAT64 well-known prefix, whatever inside
    "64:ff9b:1::1",  # NAT64 local-use
    "2001:db8::1",
]
PUBLIC = [
    "8.8.8.8",
    "93.184.216.34",
    "100.63.255.255",
    "100.128.0.1",
    "2606:4700:4700::1111",
    "2002:808:808::1",
]


@pytest.mark.parametrize("address", REFUSED)
def test_non_public_addresses_are_refused(address):
    assert address_refused(ipaddress.ip_address(address)) is True


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_pass(address):
    assert address_refused(ipaddress.ip_address(address)) is False


@pytest.fixture
def resolver(monkeypatch):
    scripted = ScriptedResolver(socket.getaddrinfo)
    monkeypatch.setattr(socket, "getaddrinfo", scripted)
    return scripted


@pytest.fixture
def connects(monkeypatch):
    """Every address a socket tried to connect to (the suite still lets loopback only through)."""
    attempts: list[tuple] = []
    inner = socket.socket.connect

    def recording(self, address):
        attempts.append(address[:2] if isinstance(address, tuple) else address)
        return inner(self, address)

    monkeypatch.setattr(socket.socket, "connect", recording)
    return attempts


def test_a_name_resolving_to_a_private_address_is_refused_before_any_connect(resolver, connects):
    resolver.script("intranet.example.com", "10.0.0.7")

    with pytest.raises(HostRefused, match="non-public address"):
        ConfinedHttp(base_url="https://intranet.example.com/").send("GET", "https://intranet.example.com/x")
    assert connects == []


def test_a_rebinding_name_is_connected_at_the_address_that_was_checked(resolver, connects):
    with loopback_server() as server:
        port = server.server_address[1]
        resolver.script("rebind.example.com", PUBLIC_IP, "127.0.0.1")
        http = ConfinedHttp(base_url=f"https://rebind.example.com:{port}/")

        with pytest.raises(requests.ConnectionError):
            http.send("GET", f"https://rebind.example.com:{port}/secret")

        assert resolver.lookups["rebind.example.com"] == 1
        assert connects == [(PUBLIC_IP, port)]
        assert server.hits == []


def test_tls_to_the_pinned_address_still_verifies_the_host_name(resolver, tmp_path):
    context, ca_file = tls_pair(tmp_path, host="shop.example.com")
    with loopback_server(tls=context) as server:
        port = server.server_address[1]
        resolver.script("shop.example.com", "127.0.0.1")
        resolver.script("other.example.com", "127.0.0.1")
        http = ConfinedHttp(base_url=f"https://shop.example.com:{port}/", allow_private=True)
        http.session.verify = str(ca_file)

        answer = http.send("GET", f"https://shop.example.com:{port}/ok")

        assert answer.status_code == 200
        assert server.hits == [("GET", "/ok", f"shop.example.com:{port}")]
        assert context.sni == ["shop.example.com"]
        wrong = ConfinedHttp(base_url=f"https://other.example.com:{port}/", allow_private=True)
        wrong.session.verify = str(ca_file)
        with pytest.raises(requests.exceptions.SSLError):
            wrong.send("GET", f"https://other.example.com:{port}/ok")
        assert len(server.hits) == 1


def test_plain_http_reaches_loopback_only_and_only_when_private_hosts_are_allowed(resolver):
    with pytest.raises(HostRefused, match="https"):
        ConfinedHttp(base_url="http://127.0.0.1:1/")
    resolver.script("lan.example.com", "10.0.0.1")
    with pytest.raises(HostRefused, match="loopback only"):
        ConfinedHttp(base_url="http://lan.example.com/", allow_private=True).send(
            "GET", "http://lan.example.com/"
        )


def test_an_unchecked_host_is_never_connected():
    http = ConfinedHttp(base_url="https://shop.example.com/")

    with pytest.raises(HostRefused, match="not checked"):
        http.session.get("https://shop.example.com/x", timeout=1)
