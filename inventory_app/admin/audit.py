"""The audit history in the admin: django-auditlog's log, read-only, for managers.

Each entry: who (actor), when, the object, and every changed field before and after (secrets
read ``********``). Filter by resource type or search an object's name to see its history.
"""

from __future__ import annotations

from auditlog.admin import LogEntryAdmin
from auditlog.models import LogEntry
from django.contrib import admin

from inventory_app.admin.base import RoleAdmin

admin.site.unregister(LogEntry)


@admin.register(LogEntry)
class AuditLogEntryAdmin(RoleAdmin, LogEntryAdmin):
    """The audit log, shown to managers (and superusers); nobody adds, changes or deletes it."""

    view_role = "manager"
    write_role = None
    actions = None
