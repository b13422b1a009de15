"""A URL under /api/ that matches no route answers JSON; other paths keep Django's page."""

from __future__ import annotations

import pytest


@pytest.mark.django_db
def test_unmatched_api_urls_answer_json_404(client):
    api = client.get("/api/v1/no-such-thing/")
    page = client.get("/nowhere/")

    assert (api.status_code, api["Content-Type"], api.json()["code"], api.json()["instance"]) == (
        404,
        "application/problem+json",
        "not_found",
        "/api/v1/no-such-thing/",
    )
    assert (page.status_code, page["Content-Type"].split(";")[0]) == (404, "text/html")
