"""The fake's notification signing key: ECDSA P-256, SHA-1, as eBay signs its push notifications."""

from __future__ import annotations

import base64
import json
import uuid

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec


class Signer:
    """A key pair under a kid; :meth:`rotate` makes a new one (the old kid stays known)."""

    def __init__(self) -> None:
        self.keys: dict[str, ec.EllipticCurvePrivateKey] = {}
        self.kid = ""
        self.rotate()

    def rotate(self) -> str:
        self.kid = str(uuid.uuid4())
        self.keys[self.kid] = ec.generate_private_key(ec.SECP256R1())
        return self.kid

    def public_pem(self, kid: str) -> str | None:
        """The key as getPublicKey answers it: PEM without newlines around the base64."""
        key = self.keys.get(kid)
        if key is None:
            return None
        der = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return f"-----BEGIN PUBLIC KEY-----{base64.b64encode(der).decode()}-----END PUBLIC KEY-----"

    def header(
        self, body: bytes, *, kid: str | None = None, key: ec.EllipticCurvePrivateKey | None = None
    ) -> str:
        """X-EBAY-SIGNATURE for ``body`` (``key`` other than the kid's: a forgery)."""
        kid = kid or self.kid
        signer = key or self.keys[kid]
        signature = signer.sign(body, ec.ECDSA(hashes.SHA1()))  # noqa: S303 - eBay's digest
        packed = {
            "alg": "ecdsa",
            "kid": kid,
            "signature": base64.b64encode(signature).decode(),
            "digest": "SHA1",
        }
        return base64.b64encode(json.dumps(packed, separators=(",", ":")).encode()).decode()


def compact(data: object) -> bytes:
    """eBay's compact JSON body."""
    return json.dumps(data, separators=(",", ":")).encode()
