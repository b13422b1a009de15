"""Staff login lockout (django-axes): per username and per address, 429 with Retry-After."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-right-password-1"


def _login(username: str, password: str, address: str = "127.0.0.1"):
    client = Client(REMOTE_ADDR=address)
    response = client.post("/admin/login/?next=/admin/", {"username": username, "password": password})
    return response, client


@pytest.fixture
def staff():
    user = UserFactory(username="ada", role="manager")
    user.set_password(PASSWORD)
    user.save()
    return user


def test_right_password_after_50_wrong_ones_does_not_log_in(staff):
    wrong = [_login("ada", f"guess-{n}")[0].status_code for n in range(50)]
    response, client = _login("ada", PASSWORD)

    assert wrong[:4] == [200] * 4  # the login form again, with its error
    assert set(wrong[4:]) == {429}  # the fifth failure locks
    assert response.status_code == 429
    assert int(response["Retry-After"]) == 15 * 60
    assert client.get("/admin/").status_code == 302  # not logged in: back to the login page


def test_a_username_is_locked_from_every_address(staff):
    for n in range(5):
        _login("ada", "wrong", address=f"198.51.100.{n + 1}")

    response, _ = _login("ada", PASSWORD, address="203.0.113.9")

    assert response.status_code == 429


def test_an_address_is_locked_for_every_username(staff):
    other = UserFactory(username="bob", role="viewer")
    other.set_password(PASSWORD)
    other.save()
    for n in range(5):
        _login(f"nobody{n}", "wrong", address="198.51.100.20")

    locked, _ = _login("bob", PASSWORD, address="198.51.100.20")
    elsewhere, client = _login("bob", PASSWORD, address="198.51.100.21")

    assert locked.status_code == 429
    assert elsewhere.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_success_before_the_limit_starts_the_count_again(staff):
    for _ in range(4):
        _login("ada", "wrong")
    ok, _ = _login("ada", PASSWORD)
    for _ in range(4):
        _login("ada", "wrong")

    response, _ = _login("ada", PASSWORD)

    assert ok.status_code == 302
    assert response.status_code == 302
