"""Browser tests: Playwright driving Debian's chromium, headless, against a live server.

Chromium is the system one (``CHROMIUM_PATH``, default /usr/bin/chromium; ``make test``
installs it when missing): Playwright never downloads a browser build. Without it the tests
skip. Every step's screenshot goes to ``var/test-artifacts/browser/<test>/`` (or
``$TEST_ARTIFACTS_DIR/browser/<test>/``). Every request the page makes is recorded: the tests
assert none leaves the live server's host.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PASSWORD = "browser-test-password-1"  # a throwaway user of the test database


def _chromium() -> str:
    path = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(path).exists():
        pytest.skip(f"no chromium at {path} (make test installs Debian's chromium)")
    return path


@pytest.fixture
def plain_live_server(transactional_db, settings):
    """pytest-django's live server, started per test after the plain-HTTP settings (the session
    ``live_server`` keeps the middleware of the settings it started with: HTTPS redirects)."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("127.0.0.1")
    yield server
    server.stop()


@pytest.fixture
def browser(plain_live_server, monkeypatch):
    """One chromium per test, started after the database (its event loop lives as long as it)."""
    path = _chromium()
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in the test's thread; the test's own ORM calls
    # (setting data up, checking it) are still synchronous and safe there.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


def artifacts_dir(name: str) -> Path:
    base = Path(os.environ.get("TEST_ARTIFACTS_DIR") or Path(settings.BASE_DIR) / "var" / "test-artifacts")
    folder = base / "browser" / re.sub(r"[^\w.-]+", "_", name)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.png"):
        old.unlink()
    return folder


@dataclass
class Session:
    """A logged-in page, its screenshots folder and every URL it requested."""

    page: object
    base_url: str
    folder: Path
    requests: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)  # URL -> why the browser did not send it
    steps: int = 0

    def shot(self, step: str, *, full_page: bool = True) -> Path:
        """Save a screenshot of the step (the whole page, or the viewport for very long pages)."""
        self.steps += 1
        path = self.folder / f"{self.steps:02d}-{step}.png"
        self.page.screenshot(path=str(path), full_page=full_page)
        return path

    def goto(self, path: str):
        return self.page.goto(self.base_url + path)

    def _foreign(self) -> list[str]:
        ours = urlsplit(self.base_url).netloc
        return [url for url in self.requests if urlsplit(url).scheme in ("http", "https")
                and urlsplit(url).netloc != ours]  # fmt: skip

    def foreign_requests(self) -> list[str]:
        """Requests to another host that left the browser (not refused by a Content-Security-Policy)."""
        return [url for url in self._foreign() if self.refused.get(url) != "csp"]

    def csp_refused(self) -> list[str]:
        """Requests to another host that the page's Content-Security-Policy kept in the browser."""
        return [url for url in self._foreign() if self.refused.get(url) == "csp"]


@pytest.fixture
def staff_session(browser, plain_live_server, request):
    """``staff_session("operator")``: a 1366 px wide page logged in through the login form."""
    from tests.factories import UserFactory

    contexts = []

    def login(role: str | None = None, *, width: int = 1366, height: int = 900) -> Session:
        user = UserFactory(username=f"{role or 'root'}-browser", is_superuser=role is None, role=role)
        user.set_password(PASSWORD)
        user.save()
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        session = Session(page, plain_live_server.url, artifacts_dir(request.node.name))
        page.on("request", lambda req: session.requests.append(req.url))
        page.on("requestfailed", lambda req: session.refused.setdefault(req.url, req.failure or ""))
        session.goto("/admin/login/")
        session.shot("login-form")
        page.fill("#id_username", user.username)
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url(f"{plain_live_server.url}/admin/")
        return session

    yield login
    for context in contexts:
        context.close()
