"""Writes that must land although the thread's own database connection may be unusable.

A Celery worker told to cancel a task (SIGTERM to the pool child when the broker connection is
lost) raises SystemExit wherever the task stands, possibly between sending a query and reading
its answer; that connection then refuses every further command. Clean-up that must not wait for
a lease to run out (claims and leases of the cancelled run) goes through
:func:`on_usable_connection`, which retries it once on a new connection of its own.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

logger = logging.getLogger(__name__)


def on_usable_connection(write: Callable[[], object], *, what: str) -> bool:
    """Run ``write`` (ORM writes on the default database, autocommit) on the thread's connection,
    else once more on a fresh connection; True if it ran. Errors are logged, never raised."""
    try:
        write()
        return True
    except DatabaseError:
        pass
    own = connections[DEFAULT_DB_ALIAS]
    fresh = connections.create_connection(DEFAULT_DB_ALIAS)
    connections[DEFAULT_DB_ALIAS] = fresh
    try:
        write()
        return True
    except DatabaseError:
        logger.warning("%s: not written; its lease runs out instead", what, exc_info=True)
        return False
    finally:
        fresh.close()
        connections[DEFAULT_DB_ALIAS] = own
