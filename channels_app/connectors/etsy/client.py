"""Raw HTTP to the Open API v3: auth headers, one retry after a 401, the day's budget recorded.

Every request carries ``x-api-key: keystring:shared_secret`` and ``Authorization: Bearer
<user_id>.<token>`` and takes one token of the per-second bucket first (``self.throttle("api")``,
10/s shared by every worker). Every answer's ``x-remaining-today`` is kept (:mod:`.budget`). A
429 is raised as RetryableError with Etsy's ``retry-after``; one whose wait is longer than a
second is the day's limit, remembered as nothing left.

Errors (``{"error": "..."}``) are raised by ``ChannelHttp``: 429 and 5xx retryable, others
permanent; 409 ("the listing ... is being edited by another process") is retryable too.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from channels_app.connectors.base import Throttle
from channels_app.connectors.errors import ConnectorError, RetryableError
from channels_app.connectors.etsy.auth import EtsyAuth
from channels_app.connectors.etsy.budget import BudgetMemory
from channels_app.connectors.http import ChannelHttp

API = "v3/application/"


class EtsyClient:
    """Calls of one account (see the module)."""

    def __init__(
        self, *, http: ChannelHttp, auth: EtsyAuth, throttle: Throttle, budget: BudgetMemory
    ) -> None:
        self.http = http
        self.auth = auth
        self.throttle = throttle
        self.budget = budget
        self.calls = 0

    def call(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        data: bytes | None = None,
        content_type: str = "",
    ) -> Any:
        """One API call to ``API + path``; its JSON answer."""
        token = self.auth.token()
        for attempt in range(2):
            headers = {
                "x-api-key": self.auth.api_key,
                "Authorization": f"Bearer {token.access_token}",
                "Accept": "application/json",
            }
            if content_type:
                headers["Content-Type"] = content_type
            self.throttle("api")
            self.calls += 1
            try:
                response = self.http.request(
                    method, API + path, params=params, json=json, data=data, headers=headers
                )
            except RetryableError as exc:
                if exc.status == 429 and (exc.retry_after or 0) > 1.0:
                    self.budget.exhausted(retry_after=exc.retry_after)
                raise
            except ConnectorError as exc:
                if exc.status == 401 and attempt == 0:
                    self.auth.refused(token)
                    token = self.auth.token()
                    continue
                if exc.status == 409:
                    raise RetryableError(str(exc), retry_after=2.0, status=409, body=exc.body) from None
                raise
            self.budget.record({k.lower(): v for k, v in response.headers.items()})
            try:
                return response.json()
            except ValueError:
                raise ConnectorError(f"{method} {path}: the answer is not JSON") from None
        raise ConnectorError(f"{method} {path}: Etsy refused the renewed token")  # pragma: no cover
