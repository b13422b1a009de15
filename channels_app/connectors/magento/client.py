"""Magento REST calls: ``/rest/<store code>/V1/...`` signed with OAuth 1.0a (or a bearer token),
searchCriteria queries, paging that survives Magento's repeat of the last page, error messages.

Query strings are built here (names and values percent-encoded, a space as ``%20``, never ``+``:
Magento versions decode ``+`` differently), so the URL signed is exactly the URL sent.
"""

from __future__ import annotations

import json as jsonlib
from collections.abc import Iterator, Mapping, Sequence
from typing import Any
from urllib.parse import urljoin

from channels_app.connectors.errors import ConnectorError
from channels_app.connectors.http import ChannelHttp
from channels_app.connectors.magento.oauth import authorization_header, percent_encode

AUTH_MODES = ("oauth", "bearer")
MAX_PAGE_SIZE = 300  # Magento's maximum pageSize when input limiting is on
MAX_PAGES = 10_000
SIGNATURE_REFUSED = "The signature is invalid"
ROUTE_MISSING = "Request does not match any route"
NOT_AUTHORIZED = "The consumer isn't authorized"

Filter = tuple[str, Any, str]  # (field, value, condition_type)


def criteria_query(
    *,
    filter_groups: Sequence[Sequence[Filter]] = (),
    sort: Sequence[tuple[str, str]] = (),
    page_size: int | None = None,
    page: int | None = None,
) -> list[tuple[str, str]]:
    """searchCriteria query pairs: filters OR-ed inside a group, groups AND-ed, sort orders."""
    pairs: list[tuple[str, str]] = []
    for g, group in enumerate(filter_groups):
        for f, (field, value, condition) in enumerate(group):
            prefix = f"searchCriteria[filter_groups][{g}][filters][{f}]"
            if isinstance(value, list | tuple):
                value = ",".join(str(v) for v in value)
            pairs += [
                (f"{prefix}[field]", field),
                (f"{prefix}[value]", str(value)),
                (f"{prefix}[condition_type]", condition),
            ]
    for s, (field, direction) in enumerate(sort):
        pairs += [(f"searchCriteria[sortOrders][{s}][field]", field)]
        pairs += [(f"searchCriteria[sortOrders][{s}][direction]", direction)]
    if page_size is not None:
        pairs.append(("searchCriteria[pageSize]", str(page_size)))
    if page is not None:
        pairs.append(("searchCriteria[currentPage]", str(page)))
    return pairs


def last_page_reached(*, page: int, page_size: int, total_count: int, items: Sequence[Any]) -> bool:
    """True when ``page`` is the last one: Magento answers a page past the end with the last page
    again (or, on some 2.4.x, an empty one), so the count, not the items, says when to stop."""
    return not items or page * page_size >= total_count


class MagentoClient:
    """One store view's REST API, authenticated by an integration's credentials."""

    def __init__(self, *, http: ChannelHttp, credentials: Mapping[str, str], options: Mapping[str, object]):
        self.http = http
        self.credentials = credentials
        self.store_code = str(options.get("store_code") or "default")
        self.auth_mode = str(options.get("auth") or "oauth")
        if self.auth_mode not in AUTH_MODES:
            raise ConnectorError(f"Unknown Magento auth mode {self.auth_mode!r}; use one of {AUTH_MODES}")
        self.calls = 0  # HTTP calls made (the bench counts them)

    def path(self, resource: str, *, prefix: str = "") -> str:
        """The path of ``resource`` under this store's REST root (``prefix``: "async/bulk/")."""
        return f"rest/{percent_encode(self.store_code)}/{prefix}V1/{resource.lstrip('/')}"

    def _auth(self, method: str, url: str) -> str:
        creds = self.credentials
        if self.auth_mode == "bearer":
            return f"Bearer {creds.get('access_token', '')}"
        return authorization_header(
            method=method,
            url=url,
            consumer_key=creds.get("consumer_key", ""),
            consumer_secret=creds.get("consumer_secret", ""),
            token=creds.get("access_token", ""),
            token_secret=creds.get("access_token_secret", ""),
        )

    def call(
        self,
        method: str,
        resource: str,
        *,
        query: Sequence[tuple[str, str]] = (),
        body: Any = None,
        prefix: str = "",
    ) -> Any:
        """Send one signed request and decode its JSON answer (ConnectorError says what failed)."""
        relative = self.path(resource, prefix=prefix)
        if query:
            relative += "?" + "&".join(f"{percent_encode(k)}={percent_encode(v)}" for k, v in query)
        url = urljoin(self.http.base_url, relative)
        headers = {"Authorization": self._auth(method, url), "Accept": "application/json"}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json"
            data = jsonlib.dumps(body).encode()
        self.calls += 1
        try:
            response = self.http.request(method, relative, headers=headers, data=data)
        except ConnectorError as exc:
            raise self._explain(exc, method=method, resource=resource) from None
        try:
            return response.json()
        except ValueError:
            raise ConnectorError(f"{method} {resource}: Magento's answer is not JSON") from None

    def _explain(self, exc: ConnectorError, *, method: str, resource: str) -> ConnectorError:
        """The same error with what the seller should do, for the answers that need it."""
        body = exc.body or ""
        hint = ""
        if exc.status == 401 and SIGNATURE_REFUSED in body:
            hint = (
                "Magento refused our OAuth signature: check the integration's consumer key and"
                " secret and its access token and token secret (re-copy them from System >"
                " Extensions > Integrations)"
            )
        elif exc.status == 401 and NOT_AUTHORIZED in body and self.auth_mode == "bearer":
            hint = (
                "Magento refused the access token as a bearer token: since 2.4.4 that needs"
                " Stores > Configuration > Services > OAuth > Consumer Settings > Allow OAuth Access"
                " Tokens to be used as standalone Bearer tokens = Yes; or use OAuth signing (auth"
                " option 'oauth', the default) - or the integration lacks this resource"
            )
        elif exc.status == 401 and NOT_AUTHORIZED in body:
            hint = "the integration lacks an API resource; grant the ones the connector's README lists"
        elif exc.status == 404 and ROUTE_MISSING in body and resource.startswith("inventory/"):
            hint = (
                "this store has no Magento Inventory (MSI) modules: the connector writes MSI source"
                " items, so enable Inventory Management (a single-source store only needs the modules"
                " on, with its default source)"
            )
        if not hint or type(exc) is not ConnectorError:
            return exc
        return ConnectorError(f"{exc}: {hint}", status=exc.status, headers=exc.headers, body=exc.body)

    def search(self, resource: str, *, page_size: int, page: int, **criteria: Any) -> dict[str, Any]:
        """One page of a searchCriteria list: ``{"items", "total_count", ...}``."""
        query = criteria_query(page_size=page_size, page=page, **criteria)
        data = self.call("GET", resource, query=query)
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            raise ConnectorError(f"GET {resource}: not a search result")
        return data

    def search_all(self, resource: str, *, page_size: int = 100, **criteria: Any) -> Iterator[dict[str, Any]]:
        """Every item of a searchCriteria list, page after page, stopping on ``total_count``."""
        page = 1
        while page <= MAX_PAGES:
            data = self.search(resource, page_size=page_size, page=page, **criteria)
            yield from data["items"]
            if last_page_reached(
                page=page,
                page_size=page_size,
                total_count=int(data.get("total_count") or 0),
                items=data["items"],
            ):
                return
            page += 1
