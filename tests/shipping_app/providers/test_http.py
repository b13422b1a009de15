"""The shipping flavour of the confined HTTP wrapper: refused hosts and addresses, no redirects."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shipping_app.providers.base import ProviderError
from shipping_app.providers.http import ProviderHttp


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        return

    def do_GET(self):
        status, headers = {"/moved": (302, {"Location": "/ok"}), "/ok": (200, {})}.get(self.path, (404, {}))
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def test_plain_http_and_private_addresses_are_refused_outside_tests(settings):
    settings.SHIPPING_ALLOW_PRIVATE_HOSTS = False

    with pytest.raises(ProviderError, match="Vendor URLs must use https"):
        ProviderHttp(base_url="http://ssapi.example.com/")
    with pytest.raises(ProviderError, match="The vendor URL has no host"):
        ProviderHttp(base_url="https:///x")
    for url in ("https://127.0.0.1/", "https://10.1.2.3/", "https://169.254.169.254/", "https://[::1]/"):
        client = ProviderHttp(base_url=url, max_retries=0)
        with pytest.raises(ProviderError, match="non-public address"):
            client.request("GET", "anything")


def test_only_the_accounts_host_is_called_and_redirects_are_not_followed(server):
    client = ProviderHttp(base_url=server, max_retries=0)

    assert client.request("GET", "ok").status_code == 200
    with pytest.raises(ProviderError, match="not the account's host"):
        client.request("GET", "https://evil.example.com/steal")
    with pytest.raises(ProviderError) as moved:
        client.request("GET", "moved")

    assert str(moved.value) == "GET /moved: 302 {}"
