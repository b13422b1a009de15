"""Staff roles (viewer < operator < manager) and the API permission that enforces them.

Roles are Django groups named after the role. Superusers have every role. A view states the role
its writes need with ``write_role`` (default "manager"); reads need "viewer".
"""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

ROLES = ("viewer", "operator", "manager")
ROLE_RANK = {name: rank for rank, name in enumerate(ROLES, start=1)}


def user_role_rank(user) -> int:
    """Highest role rank of a user (0: none)."""
    if not user or not user.is_authenticated or not user.is_active:
        return 0
    if user.is_superuser:
        return ROLE_RANK["manager"]
    cached = getattr(user, "_role_rank", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = max((ROLE_RANK[n] for n in names if n in ROLE_RANK), default=0)
        user._role_rank = cached
    return cached


class RolePermission(BasePermission):
    """Reads need the viewer role; writes the view's ``write_role``."""

    message = "Your role does not allow this."

    def has_permission(self, request, view) -> bool:
        rank = user_role_rank(request.user)
        if request.method in SAFE_METHODS:
            return rank >= ROLE_RANK["viewer"]
        return rank >= ROLE_RANK[getattr(view, "write_role", "manager")]
