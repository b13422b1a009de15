"""Label downloads from Shippo's storage host: fetched without our token, and only from a
public https host (the label URL comes from the vendor's answer, so it is checked like any)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from shipping_app.providers.base import ProviderError
from shipping_app.providers.shippo.client import ShippoClient


class _LabelHost(BaseHTTPRequestHandler):
    seen: list[dict] = []

    def log_message(self, format, *args):  # quiet
        pass

    def do_GET(self):
        _LabelHost.seen.append({"path": self.path, "headers": dict(self.headers)})
        body = b"%PDF-1.4 label"
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def label_host():
    _LabelHost.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _LabelHost)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_label_on_the_storage_host_is_fetched_without_our_token(label_host):
    client = ShippoClient(base_url="http://127.0.0.1:9/", token="shippo_test_secret")

    content = client.document_get(url=f"{label_host}/files/abc.pdf?Expires=1&Signature=x")

    assert content == b"%PDF-1.4 label"
    assert [seen["path"] for seen in _LabelHost.seen] == ["/files/abc.pdf?Expires=1&Signature=x"]
    assert "Authorization" not in _LabelHost.seen[0]["headers"]


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://labels.example.com/abc.pdf", "https"),
        ("https://10.1.2.3/abc.pdf", "non-public"),
        ("https://169.254.169.254/latest/meta-data", "non-public"),
    ],
)
def test_a_label_url_that_is_not_public_https_is_refused_before_any_request(settings, url, why):
    settings.SHIPPING_ALLOW_PRIVATE_HOSTS = False
    client = ShippoClient(base_url="https://api.goshippo.com", token="shippo_test_secret")

    with pytest.raises(ProviderError) as caught:
        client.document_get(url=url)

    assert why in str(caught.value)
