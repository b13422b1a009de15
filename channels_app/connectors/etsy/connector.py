"""The Etsy connector, registered under kind ``etsy`` (protocol in the package docstring)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from channels_app.connectors.base import (
    ConfirmsFulfilment,
    Connector,
    ConnectsByRedirect,
    RanksByDemand,
    SpendsDailyBudget,
    Throttle,
)
from channels_app.connectors.dto import (
    AccountConfig,
    FulfilmentDTO,
    ListingPage,
    ListingRef,
    OrderPage,
    PushResult,
    QuantityUpdate,
    RateLimit,
)
from channels_app.connectors.errors import ConnectorError
from channels_app.connectors.etsy.auth import EtsyAuth, consent_url
from channels_app.connectors.etsy.budget import BudgetMemory, budget_text
from channels_app.connectors.etsy.client import EtsyClient
from channels_app.connectors.etsy.declared import CONNECT_URL, CREDENTIALS, OPTIONS
from channels_app.connectors.etsy.mapping import (
    buyable,
    external_id_split,
    listings_from_shop_listing,
    order_from_receipt,
)
from channels_app.connectors.etsy.pushing import InventoryPusher, listings_read
from channels_app.connectors.http import ChannelHttp
from channels_app.connectors.registry import connector_register
from channels_app.connectors.tokens import StoredToken, TokenStore

LISTING_STATES = ("active", "inactive", "sold_out")
# Order poll phases: receipts not cancelled, then cancelled ones (``was_canceled`` is sent both
# times: Etsy's default for it changed once and may again).
PHASES = ("open", "canceled")


def _cursor(value: str | None, first: str) -> tuple[str, int]:
    if not value:
        return first, 0
    phase, _, offset = value.partition(":")
    try:
        return phase, int(offset)
    except ValueError:
        raise ConnectorError(f"Bad Etsy cursor {value!r}") from None


@connector_register
class EtsyConnector(Connector, ConfirmsFulfilment, ConnectsByRedirect, RanksByDemand, SpendsDailyBudget):
    """Etsy Open API v3: listing inventories written whole, receipts polled, within the day's calls."""

    kind = "etsy"
    label = "Etsy"
    batch_max = 100  # SKUs per push call: at most 100 listings, read in one batch call
    rate_limit = RateLimit(per_second=10.0, burst=10)
    rate_limits = {"api": RateLimit(per_second=10.0, burst=10)}
    order_overlap_seconds = 600
    quantity_mode = "set"
    restocks_on_cancel = False
    credentials = CREDENTIALS
    options = OPTIONS
    cancel_instructions = (
        "Etsy's API cannot cancel an order: cancel receipt {ref} in Shop Manager on {channel} yourself."
    )

    def __init__(
        self,
        *,
        config: AccountConfig,
        http: ChannelHttp,
        throttle: Throttle | None = None,
        tokens: TokenStore | None = None,
    ):
        super().__init__(config=config, http=http, throttle=throttle)
        options = config.options
        try:
            self.page_size = min(max(int(options.get("page_size", 100)), 1), 100)
            reserve = int(options.get("budget_reserve", 300))
            last_units = int(options.get("last_units", 2))
        except (TypeError, ValueError) as exc:
            raise ConnectorError(f"Bad Etsy option: {exc}") from None
        self.shop_id = str(options.get("shop_id") or "")
        self.auth = EtsyAuth(http=http, credentials=config.credentials, tokens=tokens)
        self.budget = BudgetMemory(keystring=self.auth.keystring, account_id=config.account_id)
        self.client = EtsyClient(http=http, auth=self.auth, throttle=self.throttle, budget=self.budget)
        self.pusher = InventoryPusher(
            client=self.client,
            shop_id=self.shop_id,
            reserve=reserve,
            last_units=last_units,
            deactivate_at_zero=bool(options.get("deactivate_at_zero", True)),
        )

    @classmethod
    def credentials_problems(
        cls, *, credentials: Mapping[str, str], options: Mapping[str, object]
    ) -> list[str]:
        """Both credentials, a ``:``-free keystring and a numeric ``shop_id`` option."""
        wanted = ("keystring", "shared_secret")
        problems = [f"{name} is required" for name in wanted if not credentials.get(name)]
        if ":" in credentials.get("keystring", ""):
            problems.append("keystring is the app's keystring alone (the secret goes in shared_secret)")
        if not str(options.get("shop_id") or "").isdigit():
            problems.append("option shop_id (the shop's numeric id) is required")
        return problems

    @classmethod
    def budget_text(cls, *, account_id: int) -> str:
        """The day's calls left and the listings waiting for calls (``etsy.budget``)."""
        return budget_text(account_id=account_id)

    @classmethod
    def token_kind(cls, *, credentials: Mapping[str, str], options: Mapping[str, object]) -> str:
        """Always "connect": the first token comes from Etsy's consent page."""
        return "connect"

    # --- connect (authorization code grant with PKCE) ----------------------------------------------
    def _redirect_uri(self, fallback: str) -> str:
        return str(self.config.options.get("redirect_uri") or fallback)

    def connect_url(self, *, redirect_uri: str, state: str) -> str | None:
        """Etsy's consent page for the app's scopes, with the flow's PKCE challenge."""
        return consent_url(
            connect_url=str(self.config.options.get("connect_url") or CONNECT_URL),
            keystring=self.auth.keystring,
            shared_secret=self.auth.shared_secret,
            redirect_uri=self._redirect_uri(redirect_uri),
            state=state,
        )

    def connect_finish(self, *, params: Mapping[str, str], state: str) -> StoredToken:
        """Check the redirect back (``state``, no ``error``) and exchange its code with the verifier."""
        import hmac

        if params.get("error"):
            raise ConnectorError(f"Etsy: {params.get('error')}: {params.get('error_description', '')}")
        given = params.get("state", "")
        if not state or not hmac.compare_digest(given.encode(), state.encode()):
            raise ConnectorError("The connect request expired or was not started here (state mismatch)")
        if not params.get("code"):
            raise ConnectorError("Etsy's redirect carries no authorization code")
        if not self.config.options.get("redirect_uri"):
            raise ConnectorError("Set the account's redirect_uri option to the callback registered on Etsy")
        return self.auth.code_exchange(code=params["code"], redirect_uri=self._redirect_uri(""), state=state)

    # --- listings and quantities ---------------------------------------------------------------------
    def listings_fetch(self, *, cursor: str | None) -> ListingPage:
        """getListingsByShop with ``includes=Inventory``, active then inactive then sold-out ones;
        one DTO per SKU."""
        state, offset = _cursor(cursor, LISTING_STATES[0])
        if state not in LISTING_STATES:
            raise ConnectorError(f"Bad Etsy cursor {cursor!r}")
        answer = self.client.call(
            "GET",
            f"shops/{self.shop_id}/listings",
            params={"state": state, "limit": self.page_size, "offset": offset, "includes": "Inventory"},
        )
        results = answer.get("results") or []
        listings = [dto for listing in results for dto in listings_from_shop_listing(listing)]
        offset += len(results)
        if results and offset < int(answer.get("count") or 0):
            return ListingPage(listings=listings, next_cursor=f"{state}:{offset}")
        index = LISTING_STATES.index(state)
        following = f"{LISTING_STATES[index + 1]}:0" if index + 1 < len(LISTING_STATES) else None
        return ListingPage(listings=listings, next_cursor=following)

    def quantities_fetch(self, *, listings: Sequence[ListingRef]) -> dict[str, int]:
        """What a buyer can buy of each SKU now (0 on a listing that is not active)."""
        ids = sorted({external_id_split(ref.external_id)[0] for ref in listings})
        read = listings_read(client=self.client, listing_ids=ids)
        found: dict[str, int] = {}
        for ref in listings:
            listing_id, sku = external_id_split(ref.external_id)
            listing = read.get(listing_id)
            shown = buyable(listing, sku) if listing else None
            if shown is not None:
                found[ref.external_id] = shown
        return found

    def quantities_push(self, *, updates: Sequence[QuantityUpdate]) -> list[PushResult]:
        """One inventory write per listing, urgent ones first, within the day's calls (``pushing``)."""
        if len(updates) > self.batch_max:
            raise ConnectorError(f"At most {self.batch_max} quantities per push")
        return self.pusher.push(updates)

    # --- orders ----------------------------------------------------------------------------------------
    def orders_fetch_changed(self, *, since: datetime | None, cursor: str | None) -> OrderPage:
        """getShopReceipts by ``min_last_modified`` (None: unshipped ones), oldest change first,
        by ``limit``/``offset``: receipts not cancelled, then cancelled ones."""
        phase, offset = _cursor(cursor, PHASES[0])
        if phase not in PHASES:
            raise ConnectorError(f"Bad Etsy cursor {cursor!r}")
        params: dict[str, object] = {
            "limit": self.page_size,
            "offset": offset,
            "sort_on": "updated",
            "sort_order": "asc",
            "was_canceled": "true" if phase == "canceled" else "false",
        }
        if since is not None:
            params["min_last_modified"] = max(int(since.astimezone(UTC).timestamp()), 946684800)
        else:
            params["was_shipped"] = "false"
        answer = self.client.call("GET", f"shops/{self.shop_id}/receipts", params=params)
        results = answer.get("results") or []
        orders = [order_from_receipt(receipt) for receipt in results]
        offset += len(results)
        if results and offset < int(answer.get("count") or 0):
            return OrderPage(orders=orders, next_cursor=f"{phase}:{offset}")
        following = f"{PHASES[1]}:0" if phase == PHASES[0] else None
        return OrderPage(orders=orders, next_cursor=following)

    # --- fulfilment -------------------------------------------------------------------------------------
    def fulfilment_push(self, *, fulfilment: FulfilmentDTO) -> None:
        """createReceiptShipment (JSON ``tracking_code``, ``carrier_name``): the whole receipt is
        marked shipped (Etsy has no per-line shipment). A receipt already carrying this tracking
        code (a retry after a lost answer) is not sent again."""
        path = f"shops/{self.shop_id}/receipts/{fulfilment.order_external_id}"
        receipt = self.client.call("GET", path)
        code = fulfilment.tracking_number
        if any(s.get("tracking_code") == code for s in receipt.get("shipments") or []) and code:
            return
        body: dict[str, object] = {"send_bcc": False}
        if code:
            body["tracking_code"] = code
            body["carrier_name"] = fulfilment.carrier or "other"
        self.client.call("POST", f"{path}/tracking", json=body)
