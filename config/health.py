"""Liveness (/healthz: the process answers) and readiness (/readyz: database and broker reachable).

Both answer plain HTTP even when SECURE_SSL_REDIRECT is on (SECURE_REDIRECT_EXEMPT), need no
login, and say only which part fails (the exception class); the details go to the log.
"""

from __future__ import annotations

import logging
import os

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.http import require_GET
from kombu import Connection

logger = logging.getLogger(__name__)

# Seconds a readiness probe waits for the broker before calling it unreachable.
BROKER_CONNECT_TIMEOUT = 2


@require_GET
def healthz(request):
    """The web process is alive."""
    return JsonResponse({"status": "ok"})


def _check_database() -> str | None:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        logger.warning("readiness: database unreachable: %s", exc)
        return type(exc).__name__
    return None


def _check_filesystem_broker(options: dict) -> str | None:
    """The file-system transport has no server: its folders must exist and be writable."""
    folders = {options.get(key) for key in ("data_folder_in", "data_folder_out", "processed_folder")}
    for folder in sorted(f for f in folders if f):
        if not os.path.isdir(folder) or not os.access(folder, os.W_OK | os.X_OK):
            logger.warning("readiness: broker folder %s missing or not writable", folder)
            return "BrokerFolderUnavailable"
    return None


def _check_broker() -> str | None:
    url = settings.CELERY_BROKER_URL
    options = dict(settings.CELERY_BROKER_TRANSPORT_OPTIONS or {})
    if url.startswith("filesystem://"):
        return _check_filesystem_broker(options)
    try:
        with Connection(url, transport_options=options, connect_timeout=BROKER_CONNECT_TIMEOUT) as conn:
            conn.ensure_connection(max_retries=0, timeout=BROKER_CONNECT_TIMEOUT)
    except Exception as exc:
        logger.warning("readiness: broker unreachable: %s", exc)
        return type(exc).__name__
    return None


@require_GET
def readyz(request):
    """Ready to serve: the database and the Celery broker answer. 503 with the failing parts if not."""
    checks = {"database": _check_database(), "broker": _check_broker()}
    failing = {name: error for name, error in checks.items() if error}
    body = {
        "status": "unavailable" if failing else "ok",
        "checks": {name: error or "ok" for name, error in checks.items()},
    }
    return JsonResponse(body, status=503 if failing else 200)
