"""Audit history of changes made with ``QuerySet.update()``, which sends no signals.

Changes saved through ``Model.save()`` are recorded by django-auditlog itself (the models and
fields in settings.AUDITLOG_INCLUDE_TRACKING_MODELS); a service that updates a tracked row with
``update()`` records its change here, with the same actor (the request's user).
"""

from __future__ import annotations

from collections.abc import Mapping

from auditlog.models import LogEntry
from django.db import models


def audit_record_update(*, instance: models.Model, changes: Mapping[str, tuple[object, object]]) -> None:
    """Record that ``instance`` changed: ``changes`` maps each field to (before, after); fields
    that did not change are left out, and nothing is recorded when none did."""
    changed = {name: [before, after] for name, (before, after) in changes.items() if before != after}
    if changed:
        LogEntry.objects.log_create(instance, action=LogEntry.Action.UPDATE, changes=changed)
