"""No page of the product loads anything from another host: the admin (every list and add page
linked from the dashboard) and the API docs, each script, style sheet, icon and image checked,
and each of our static files found."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ASSET_TAGS = {"script": "src", "img": "src", "link": "href", "iframe": "src", "source": "src"}


class _Assets(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []
        self.links: list[str] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        attr = ASSET_TAGS.get(tag)
        if attr and values.get(attr):
            self.assets.append(values[attr])
        if tag == "a" and values.get("href"):
            self.links.append(values["href"])
        if values.get("style"):
            self.inline.append(values["style"])
        self._in_script = tag in ("script", "style")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.inline.append(data)


def _parse(content: bytes) -> _Assets:
    parser = _Assets()
    parser.feed(content.decode())
    return parser


def _external(url: str) -> bool:
    return bool(urlsplit(url).netloc) and urlsplit(url).hostname not in ("testserver",)


def _check_page(client, url: str) -> _Assets:
    response = client.get(url)
    assert response.status_code == 200, url
    page = _parse(response.content)
    outside = [a for a in page.assets if _external(a)]
    assert outside == [], f"{url} loads from other hosts: {outside}"
    inline_urls = [u for text in page.inline for u in re.findall(r"url\((['\"]?)(https?:)?//", text)]
    assert inline_urls == [], f"{url} has inline styles or scripts naming another host"
    for asset in page.assets:
        path = urlsplit(asset).path
        if path.startswith(settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/"):
            name = path.split("/static/", 1)[1]
            assert finders.find(name), f"{url}: static file {name} missing"
    return page


def test_admin_pages_and_api_docs_load_only_from_our_host(client):
    _check_page(client, "/admin/login/")
    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))

    home = _check_page(client, "/admin/")
    pages = sorted({h for h in home.links if re.fullmatch(r"/admin/\w+/\w+/(add/)?", h)})
    for url in pages:
        _check_page(client, url)
    pages_of_our_own = (
        "/admin/inventory_app/stocklevel/count/",
        "/admin/inventory_app/returnauthorization/start/",
    )
    for url in ("/api/docs/", "/api/redoc/", *pages_of_our_own):
        _check_page(client, url)

    assert len(pages) > 40  # every list and add page of every app was crawled
