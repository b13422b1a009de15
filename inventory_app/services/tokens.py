"""API tokens: issue (plain key shown once), authenticate by hash, revoke."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from inventory_app.models import ApiToken
from inventory_app.services.audit import audit_record_update

TOKEN_PREFIX = "smk_"  # noqa: S105 - a public prefix, not a secret


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_token_issue(
    *,
    user: AbstractBaseUser,
    name: str,
    expires_at: datetime | None = None,
    created_by_token: ApiToken | None = None,
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; return it with the plain key, which is never stored.

    A token created by another token (``created_by_token``, of the same user) must expire, no
    later than that token: it can never outlive it, and revoking that token revokes it too.
    Raises ValidationError otherwise (nothing is created).
    """
    if created_by_token is not None:
        if created_by_token.user_id != user.pk:
            raise ValidationError({"user": ["A token creates tokens for its own user only."]})
        if expires_at is None:
            raise ValidationError({"expires_at": ["A token created by a token must expire."]})
        if created_by_token.expires_at is not None and expires_at > created_by_token.expires_at:
            raise ValidationError(
                {
                    "expires_at": [
                        f"Must be no later than the creating token's ({created_by_token.expires_at})."
                    ]
                }
            )
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name,
        prefix=key[: len(TOKEN_PREFIX) + 6],
        key_hash=_hash(key),
        expires_at=expires_at,
        created_by_token=created_by_token,
    )
    return token, key


def api_token_authenticate(*, key: str) -> ApiToken | None:
    """Return the live token matching ``key`` (and note its use), or None."""
    token = (
        ApiToken.objects.select_related("user").filter(key_hash=_hash(key), revoked_at__isnull=True).first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.expires_at is not None and token.expires_at <= now:
        return None
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token and every token it created (and they created); all stop working at once.
    Revoking again changes nothing."""
    now = timezone.now()
    with transaction.atomic():
        ids, level = [token.pk], [token.pk]
        while level:
            level = list(ApiToken.objects.filter(created_by_token__in=level).values_list("pk", flat=True))
            ids += level
        live = list(ApiToken.objects.filter(pk__in=ids, revoked_at__isnull=True))
        ApiToken.objects.filter(pk__in=[t.pk for t in live]).update(revoked_at=now)
        for revoked in live:
            audit_record_update(instance=revoked, changes={"revoked_at": (None, now.isoformat())})
    token.refresh_from_db(fields=["revoked_at"])
    return token
