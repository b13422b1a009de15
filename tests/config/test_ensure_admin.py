"""``manage.py ensure_admin``: the first administrator, created once, credentials shown once."""

from __future__ import annotations

import io
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture(autouse=True)
def _no_admin_env(monkeypatch):
    for name in ("ADMIN_USERNAME", "ADMIN_PASSWORD", "ADMIN_EMAIL"):
        monkeypatch.delenv(name, raising=False)


def _ensure_admin() -> str:
    out = io.StringIO()
    call_command("ensure_admin", stdout=out)
    return out.getvalue()


def test_creates_admin_and_prints_its_generated_password_once():
    first = _ensure_admin()

    password = re.search(r"password: (\S+)", first).group(1)
    user = User.objects.get()
    assert user.username == "admin"
    assert user.is_superuser and user.is_staff and user.is_active
    assert user.check_password(password)
    assert len(password) >= 20
    hashed = user.password

    second = _ensure_admin()

    assert second == "Admin user 'admin' already exists; its password is unchanged.\n"
    assert password not in second
    assert User.objects.count() == 1
    assert User.objects.get().password == hashed


def test_uses_credentials_from_the_environment_without_printing_the_password(monkeypatch):
    monkeypatch.setenv("ADMIN_USERNAME", "boss")
    monkeypatch.setenv("ADMIN_PASSWORD", "correct-horse-battery-staple")
    monkeypatch.setenv("ADMIN_EMAIL", "boss@example.com")

    output = _ensure_admin()

    user = User.objects.get()
    assert (user.username, user.email, user.is_superuser) == ("boss", "boss@example.com", True)
    assert user.check_password("correct-horse-battery-staple")
    assert "correct-horse-battery-staple" not in output
    assert output == "Created admin user 'boss' (password from ADMIN_PASSWORD).\n"


def test_an_existing_superuser_is_enough_without_admin_username():
    existing = UserFactory(username="owner", is_superuser=True, is_staff=True)

    output = _ensure_admin()

    assert output == "Admin user 'owner' already exists; its password is unchanged.\n"
    assert list(User.objects.values_list("username", flat=True)) == ["owner"]
    assert User.objects.get().password == existing.password


def test_never_resets_an_existing_admins_password(monkeypatch):
    existing = UserFactory(username="boss", is_superuser=True, is_staff=True)
    existing.set_password("the-old-password-stays")
    existing.save()
    monkeypatch.setenv("ADMIN_USERNAME", "boss")
    monkeypatch.setenv("ADMIN_PASSWORD", "a-different-new-password")

    output = _ensure_admin()

    user = User.objects.get()
    assert user.check_password("the-old-password-stays")
    assert "password" in output and "the-old-password-stays" not in output
    assert "a-different-new-password" not in output


def test_weak_password_from_environment_is_refused_and_nothing_created(monkeypatch):
    monkeypatch.setenv("ADMIN_USERNAME", "boss")
    monkeypatch.setenv("ADMIN_PASSWORD", "12345")

    with pytest.raises(CommandError, match="ADMIN_PASSWORD rejected: This password is too short"):
        _ensure_admin()

    assert not User.objects.exists()


def test_refuses_to_promote_an_existing_ordinary_user(monkeypatch):
    staff = UserFactory(username="clerk", role="viewer")
    monkeypatch.setenv("ADMIN_USERNAME", "clerk")

    with pytest.raises(CommandError, match="'clerk' exists but is not an active superuser; not changed"):
        _ensure_admin()

    staff.refresh_from_db()
    assert staff.is_superuser is False
    assert User.objects.count() == 1
