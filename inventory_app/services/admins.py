"""The first administrator of a fresh installation (``manage.py ensure_admin``, run by ``make run``)."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

DEFAULT_ADMIN_USERNAME = "admin"


class AdminUserError(Exception):
    """The administrator cannot be ensured as asked (nothing was changed)."""


@dataclass(frozen=True)
class AdminUserResult:
    """Outcome of :func:`admin_user_ensure`.

    ``generated_password`` is set only when this call created the user with a password it made
    up: the one moment it can be shown. It is never set for a user that already existed.
    """

    user: AbstractUser
    created: bool
    generated_password: str | None = None


def admin_user_ensure(*, username: str | None, email: str, password: str | None) -> AdminUserResult:
    """Make sure an active superuser exists; create it if needed. Idempotent.

    Without ``username``, any active superuser will do; if there is none, one named "admin" is
    created. With ``username``, that user must be (or becomes, if missing) a superuser; an
    existing user is never modified and its password never read or reset. Without ``password``
    a random one is generated. A given password must pass AUTH_PASSWORD_VALIDATORS.
    """
    user_model = get_user_model()
    if not username:
        existing = user_model.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
        if existing is not None:
            return AdminUserResult(user=existing, created=False)
        username = DEFAULT_ADMIN_USERNAME

    existing = user_model.objects.filter(username=username).first()
    if existing is not None:
        return _existing(existing)

    generated = None
    if password is None or password == "":
        generated = password = secrets.token_urlsafe(18)
    else:
        try:
            validate_password(password, user=user_model(username=username, email=email))
        except ValidationError as exc:
            raise AdminUserError(f"ADMIN_PASSWORD rejected: {'; '.join(exc.messages)}") from exc
    try:
        with transaction.atomic():
            user = user_model.objects.create_superuser(username=username, email=email, password=password)
    except IntegrityError:
        # Created concurrently by another process: use that one, as if it had existed.
        return _existing(user_model.objects.get(username=username))
    return AdminUserResult(user=user, created=True, generated_password=generated)


def _existing(user: AbstractUser) -> AdminUserResult:
    if not (user.is_superuser and user.is_active):
        raise AdminUserError(
            f"user {user.get_username()!r} exists but is not an active superuser; "
            "not changed (promote it in /admin/ or choose another ADMIN_USERNAME)"
        )
    return AdminUserResult(user=user, created=False)
