"""SP-API regions: the Selling Partner API host and the Login with Amazon token URL of each.

Sources: "SP-API endpoints" (developer-docs.amazon.com/sp-api/docs/sp-api-endpoints) for the
production and sandbox hosts, and Login with Amazon's per-region token endpoints
(api.amazon.com, api.amazon.co.uk, api.amazon.co.jp ``/auth/o2/token``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

REGIONS: dict[str, tuple[str, str]] = {
    # region: (SP-API host, LWA token URL)
    "na": ("sellingpartnerapi-na.amazon.com", "https://api.amazon.com/auth/o2/token"),
    "eu": ("sellingpartnerapi-eu.amazon.com", "https://api.amazon.co.uk/auth/o2/token"),
    "fe": ("sellingpartnerapi-fe.amazon.com", "https://api.amazon.co.jp/auth/o2/token"),
}
LWA_HOSTS = frozenset(urlsplit(url).hostname for _, url in REGIONS.values())
# Feed documents are read and written through presigned Amazon S3 URLs.
DOCUMENT_HOST_SUFFIX = ".amazonaws.com"


class EndpointError(ValueError):
    """An unknown region, or a base URL / LWA URL that does not belong to Amazon."""


def sp_api_base_url(*, region: str = "na", sandbox: bool = False) -> str:
    """The SP-API base URL of ``region`` ("na", "eu", "fe"), or its sandbox."""
    try:
        host, _ = REGIONS[region]
    except KeyError:
        raise EndpointError(f"Unknown SP-API region {region!r} (na, eu or fe)") from None
    return f"https://{'sandbox.' if sandbox else ''}{host}"


def region_of_host(host: str) -> tuple[str, bool] | None:
    """(region, sandbox) of a known SP-API host, else None (a test or private endpoint)."""
    host = host.lower()
    sandbox = host.startswith("sandbox.")
    bare = host.removeprefix("sandbox.")
    for region, (known, _) in REGIONS.items():
        if bare == known:
            return region, sandbox
    return None


def lwa_url_choose(*, base_url: str, region: str, override: str = "") -> str:
    """The LWA token URL: the region's, or ``override`` if it is an Amazon LWA host or the
    account's own host (a fake or private test endpoint). Anything else is refused, so a typed-in
    option cannot send the refresh token and client secret to a third party."""
    if region not in REGIONS:
        raise EndpointError(f"Unknown SP-API region {region!r} (na, eu or fe)")
    if not override:
        return REGIONS[region][1]
    host = (urlsplit(override).hostname or "").lower()
    base = urlsplit(base_url)
    if host in LWA_HOSTS and urlsplit(override).scheme == "https":
        return override
    if host == (base.hostname or "").lower() and urlsplit(override).port == base.port:
        return override
    raise EndpointError("The LWA URL must be an Amazon Login with Amazon host or the account's own host")


def document_url_allowed(*, url: str, base_url: str) -> bool:
    """True for presigned feed-document URLs we may follow: Amazon S3 over https, or the
    account's own host (the fake serves its documents itself)."""
    parts, base = urlsplit(url), urlsplit(base_url)
    host = (parts.hostname or "").lower()
    if parts.scheme == "https" and host.endswith(DOCUMENT_HOST_SUFFIX):
        return True
    return host == (base.hostname or "").lower() and parts.port == base.port and parts.scheme == base.scheme
