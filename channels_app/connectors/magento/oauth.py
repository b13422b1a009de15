"""OAuth 1.0a request signing (RFC 5849) as Magento checks it on REST calls, HMAC-SHA256.

Written from RFC 5849 section 3.4 and Magento's "OAuth-based authentication" page: the signed
parameters are the ``oauth_*`` protocol parameters (without ``oauth_signature``) plus every query
parameter (a JSON body is not signed; a form body would be, we never send one); names and values
are percent-encoded (RFC 3986, unreserved characters kept), sorted by name then value, joined as
``name=value`` with ``&``. The base string is ``METHOD&enc(base URI)&enc(parameters)``, the base URI
being scheme and host in lower case, the port only when not the scheme's default, and the path
(no query). The key is ``enc(consumer secret)&enc(token secret)``; the signature is the base64 of
the HMAC-SHA256 digest. The ``Authorization`` header carries the parameters percent-encoded.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable
from urllib.parse import quote, unquote, urlsplit

SIGNATURE_METHOD = "HMAC-SHA256"


def percent_encode(value: str) -> str:
    """RFC 3986 percent-encoding of UTF-8 text (``A-Za-z0-9-._~`` kept, hex upper case)."""
    return quote(value.encode(), safe="~-._")


def query_pairs(query: str) -> list[tuple[str, str]]:
    """The decoded (name, value) pairs of a raw query string (``+`` is not a space here)."""
    pairs = []
    for part in query.split("&"):
        if not part:
            continue
        name, _, value = part.partition("=")
        pairs.append((unquote(name), unquote(value)))
    return pairs


def base_uri(url: str) -> str:
    """Scheme://host[:port]/path of ``url``: lower-case scheme and host, default ports dropped."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    if port and not ((scheme == "http" and port == 80) or (scheme == "https" and port == 443)):
        host = f"{host}:{port}"
    return f"{scheme}://{host}{parts.path or '/'}"


def base_string(*, method: str, url: str, params: Iterable[tuple[str, str]]) -> str:
    """The signature base string of a request to ``url`` (its query included in ``params``)."""
    encoded = sorted((percent_encode(k), percent_encode(v)) for k, v in params)
    normalized = "&".join(f"{k}={v}" for k, v in encoded)
    return "&".join((method.upper(), percent_encode(base_uri(url)), percent_encode(normalized)))


def signature(*, base: str, consumer_secret: str, token_secret: str) -> str:
    """base64(HMAC-SHA256(enc(consumer secret)&enc(token secret), base))."""
    key = f"{percent_encode(consumer_secret)}&{percent_encode(token_secret)}"
    digest = hmac.new(key.encode(), base.encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def authorization_header(
    *,
    method: str,
    url: str,
    consumer_key: str,
    consumer_secret: str,
    token: str,
    token_secret: str,
    nonce: str | None = None,
    timestamp: int | None = None,
) -> str:
    """The ``Authorization: OAuth ...`` value signing a request to ``url`` (with its query)."""
    protocol = {
        "oauth_consumer_key": consumer_key,
        "oauth_nonce": nonce or secrets.token_hex(16),
        "oauth_signature_method": SIGNATURE_METHOD,
        "oauth_timestamp": str(int(time.time()) if timestamp is None else timestamp),
        "oauth_token": token,
        "oauth_version": "1.0",
    }
    params = list(protocol.items()) + query_pairs(urlsplit(url).query)
    protocol["oauth_signature"] = signature(
        base=base_string(method=method, url=url, params=params),
        consumer_secret=consumer_secret,
        token_secret=token_secret,
    )
    return "OAuth " + ",".join(f'{k}="{percent_encode(v)}"' for k, v in protocol.items())
