"""The confined HTTP wrapper: host, scheme and address checks, redirects, timeouts, statuses, secrets."""

from __future__ import annotations

import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.connectors.http import ChannelHttp, HostRefused, retry_after_parse


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        return

    def do_GET(self):
        routes = {
            "/redirect-away": (302, {"Location": "http://localhost.localdomain.invalid/x"}),
            "/redirect-same": (302, {"Location": "/ok"}),
            "/ok": (200, {}),
            "/busy": (429, {"Retry-After": "7"}),
            "/down": (503, {}),
            "/bad": (400, {}),
            "/refused": (422, {"Set-Cookie": "session=SECRET123", "X-Request-Id": "req-1"}),
            "/busy-long": (429, {"Retry-After": "3", "X-RateLimit-Remaining": "0"}),
        }
        path = self.path.split("?", 1)[0]
        if path == "/slow":
            import time

            time.sleep(1.0)
            status, headers = 200, {}
        else:
            status, headers = routes.get(path, (404, {}))
        body = b'{"echo": "token-SECRET123"}'
        if path in ("/refused", "/busy-long"):
            body = b"SECRET123 " + b"x" * 990
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def test_plain_http_and_private_addresses_are_refused_outside_tests():
    with pytest.raises(HostRefused, match="https"):
        ChannelHttp(base_url="http://shop.example.com/")
    for url in ("https://127.0.0.1/", "https://10.1.2.3/", "https://169.254.169.254/", "https://[::1]/"):
        client = ChannelHttp(base_url=url, allow_private=False)
        with pytest.raises(ConnectorError, match="non-public address"):
            client.request("GET", "anything")


def test_only_the_accounts_host_is_called(server):
    client = ChannelHttp(base_url=server, allow_private=True)

    with pytest.raises(ConnectorError, match="not the account's host"):
        client.request("GET", "https://evil.example.com/steal")


def test_redirects_are_followed_only_to_the_same_host(server):
    client = ChannelHttp(base_url=server, allow_private=True)

    assert client.request("GET", "redirect-same").status_code == 200
    with pytest.raises(ConnectorError, match="not the account's host"):
        client.request("GET", "redirect-away")


def test_statuses_map_to_retryable_and_permanent_errors_with_retry_after(server):
    client = ChannelHttp(base_url=server, allow_private=True, secrets=["SECRET123"])

    with pytest.raises(RetryableError) as busy:
        client.request("GET", "busy")
    with pytest.raises(RetryableError) as down:
        client.request("GET", "down")
    with pytest.raises(ConnectorError) as bad:
        client.request("GET", "bad")

    assert (busy.value.retry_after, down.value.retry_after) == (7.0, None)
    assert not isinstance(bad.value, RetryableError)
    assert "SECRET123" not in str(bad.value)
    assert "token-***" in str(bad.value)


def test_errors_carry_the_status_safe_headers_and_a_truncated_scrubbed_body(server):
    client = ChannelHttp(base_url=server, allow_private=True, secrets=["SECRET123"])

    with pytest.raises(ConnectorError) as refused:
        client.request("GET", "refused")
    with pytest.raises(RetryableError) as busy:
        client.request("GET", "busy-long")
    with pytest.raises(RetryableError) as slow:
        ChannelHttp(base_url=server, allow_private=True, read_timeout=0.2).request("GET", "slow")

    assert refused.value.status == 422
    assert refused.value.headers == {"x-request-id": "req-1"}  # no Set-Cookie, Server, Date...
    assert refused.value.body == "*** " + "x" * 296
    assert len(refused.value.body) == 300
    assert (busy.value.status, busy.value.retry_after) == (429, 3.0)
    assert busy.value.headers == {"retry-after": "3", "x-ratelimit-remaining": "0"}
    assert busy.value.body == "*** " + "x" * 296
    assert (slow.value.status, slow.value.headers, slow.value.body) == (None, {}, "")


def test_every_request_has_a_read_timeout(server):
    client = ChannelHttp(base_url=server, allow_private=True, read_timeout=0.2)

    with pytest.raises(RetryableError, match="timed out"):
        client.request("GET", "slow")


def test_secrets_never_reach_the_logs(server, caplog):
    client = ChannelHttp(base_url=server, allow_private=True, secrets=["SECRET123"])
    caplog.set_level(logging.DEBUG)

    client.request("GET", "ok", headers={"Authorization": "Bearer SECRET123"}, params={"key": "SECRET123"})
    with pytest.raises(ConnectorError):
        client.request("GET", "bad")

    assert "SECRET123" not in caplog.text
    assert "/ok" in caplog.text


def test_retry_after_accepts_seconds_and_http_dates_and_ignores_garbage():
    assert retry_after_parse("12") == 12.0
    assert retry_after_parse("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0
    assert retry_after_parse("soon") is None
    assert retry_after_parse(None) is None
