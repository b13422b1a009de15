"""Error reports (the DEBUG page, mailed reports) never show credentials."""

from __future__ import annotations

import sys

import pytest
from django.test import RequestFactory
from django.views.debug import ExceptionReporter

from channels_app.services.accounts import account_config, account_create

pytestmark = pytest.mark.django_db

# Joined here so that the source lines a report quotes never hold the whole secrets.
API_KEY, WEBHOOK_SECRET = "VERY-SECRET-" + "KEY", "whsec-" + "123"
PASSWORD, TOKEN = "hunter2-" + "pass", "smk_" + "abc"


def _failing_sync(account):
    config = account_config(account=account)
    api_key = config.credentials["api_key"]
    headers = {"Authorization": f"Bearer {api_key}", "Accept": "application/json"}
    secrets = dict(config.credentials)
    raise RuntimeError(f"the channel answered 500 ({len(headers)} headers, {len(secrets)} secrets)")


@pytest.mark.parametrize("debug", [True, False])
def test_the_error_page_of_a_failure_holding_credentials_shows_none_of_them(settings, debug):
    settings.DEBUG = debug
    account = account_create(
        kind="generic",
        name="Shop",
        base_url="https://shop.example.com/api/",
        credentials={"api_key": API_KEY, "webhook_secret": WEBHOOK_SECRET},
    )
    request = RequestFactory().post("/admin/", {"password": PASSWORD}, HTTP_AUTHORIZATION=f"Token {TOKEN}")
    try:
        _failing_sync(account)
    except RuntimeError:
        reporter = ExceptionReporter(request, *sys.exc_info())

    html, text = reporter.get_traceback_html(), reporter.get_traceback_text()

    for page in (html, text):
        assert "the channel answered 500" in page  # the report itself is there
        for secret in (API_KEY, WEBHOOK_SECRET, PASSWORD, TOKEN):
            assert secret not in page
    assert "&#x27;api_key&#x27;: &#x27;********&#x27;" in html  # the names remain, for debugging
