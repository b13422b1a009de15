"""eBay's signed push notifications (Commerce Notification API) and the endpoint challenge.

* :func:`challenge_response`: the answer to ``GET <endpoint>?challenge_code=``, hex SHA-256 of
  challengeCode + verificationToken + endpoint (the exact registered URL), in that order.
* :func:`signature_verify`: ``X-EBAY-SIGNATURE`` is base64 of JSON ``{"alg": "ecdsa", "kid",
  "signature", "digest": "SHA1"}``; ``signature`` is base64 DER ECDSA over the raw body with
  SHA-1, checked with the public key of ``kid``. Raw bytes first; only if that fails, the compact
  re-serialisation eBay's SDK verifies against.
* :class:`PublicKeys`: ``GET /commerce/notification/v1/public_key/{kid}`` (application token),
  cached :data:`KEY_TTL` seconds per kid ("one-hour is recommended"); an unknown kid (404) is
  remembered :data:`UNKNOWN_TTL` seconds so a forger cannot spend our call quota.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import threading
import time
from collections.abc import Callable, Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import load_pem_public_key

from channels_app.connectors.errors import ConnectorError, WebhookSignatureError

KEY_TTL = 3600.0
UNKNOWN_TTL = 300.0
PUBLIC_KEY_PATH = "commerce/notification/v1/public_key/{kid}"


def challenge_response(*, challenge_code: str, verification_token: str, endpoint: str) -> str:
    """The ``challengeResponse`` eBay expects for ``challenge_code`` at ``endpoint``."""
    digest = hashlib.sha256()
    for part in (challenge_code, verification_token, endpoint):
        digest.update(part.encode("utf-8"))
    return digest.hexdigest()


def header(headers: Mapping[str, str], name: str) -> str:
    """A header's value by case-insensitive name ("" when absent)."""
    lowered = name.lower()
    return next((v for k, v in headers.items() if k.lower() == lowered), "")


def signature_header_decode(value: str) -> dict:
    """The JSON inside ``X-EBAY-SIGNATURE``; WebhookSignatureError when unreadable."""
    if not value:
        raise WebhookSignatureError("No X-EBAY-SIGNATURE header")
    try:
        data = json.loads(base64.b64decode(value, validate=False))
    except (ValueError, binascii.Error):
        raise WebhookSignatureError("X-EBAY-SIGNATURE is not base64 JSON") from None
    if not isinstance(data, dict) or not data.get("kid") or not data.get("signature"):
        raise WebhookSignatureError("X-EBAY-SIGNATURE lacks kid or signature")
    if str(data.get("alg", "")).lower() != "ecdsa" or str(data.get("digest", "SHA1")).upper() != "SHA1":
        raise WebhookSignatureError("X-EBAY-SIGNATURE names an algorithm other than ECDSA with SHA1")
    return data


def pem_normalise(key: str) -> bytes:
    """eBay's PEM has no newlines around its base64: put them back so it loads."""
    body = key.replace("-----BEGIN PUBLIC KEY-----", "").replace("-----END PUBLIC KEY-----", "").strip()
    body = "".join(body.split())
    return f"-----BEGIN PUBLIC KEY-----\n{body}\n-----END PUBLIC KEY-----\n".encode()


class PublicKeys:
    """Public keys by kid, fetched with ``fetch(kid)`` (None: unknown kid) and cached."""

    def __init__(
        self, *, fetch: Callable[[str], str | None], clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.fetch = fetch
        self.clock = clock
        self._cache: dict[str, tuple[float, ec.EllipticCurvePublicKey | None]] = {}
        self._lock = threading.Lock()

    def get(self, kid: str) -> ec.EllipticCurvePublicKey | None:
        now = self.clock()
        with self._lock:
            hit = self._cache.get(kid)
            if hit is not None and hit[0] > now:
                return hit[1]
        pem = self.fetch(kid)
        key = None
        if pem is not None:
            try:
                loaded = load_pem_public_key(pem_normalise(pem))
            except ValueError:
                raise ConnectorError(f"eBay's public key {kid} does not load") from None
            if not isinstance(loaded, ec.EllipticCurvePublicKey):
                raise ConnectorError(f"eBay's public key {kid} is not an EC key")
            key = loaded
        with self._lock:
            self._cache[kid] = (now + (KEY_TTL if key is not None else UNKNOWN_TTL), key)
        return key


def signature_verify(*, headers: Mapping[str, str], body: bytes, keys: PublicKeys) -> None:
    """Check ``X-EBAY-SIGNATURE`` over ``body`` (see the module); WebhookSignatureError if not."""
    data = signature_header_decode(header(headers, "X-EBAY-SIGNATURE"))
    key = keys.get(str(data["kid"]))
    if key is None:
        raise WebhookSignatureError("X-EBAY-SIGNATURE names a key eBay does not know")
    try:
        signature = base64.b64decode(str(data["signature"]))
    except (ValueError, binascii.Error):
        raise WebhookSignatureError("The signature is not base64") from None
    candidates = [body]
    try:
        compact = json.dumps(json.loads(body), separators=(",", ":"), ensure_ascii=False).encode()
        if compact != body:
            candidates.append(compact)
    except (ValueError, UnicodeDecodeError):
        pass
    for message in candidates:
        try:
            key.verify(signature, message, ec.ECDSA(hashes.SHA1()))  # noqa: S303 - eBay's documented digest
            return
        except InvalidSignature:
            continue
    raise WebhookSignatureError("X-EBAY-SIGNATURE does not verify")
