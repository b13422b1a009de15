"""Clean-up writes land on a fresh connection when the thread's own cannot take a command."""

from __future__ import annotations

import pytest
from django.db import connection

from channels_app.models import RateLimitBucket
from config.freshdb import on_usable_connection

pytestmark = pytest.mark.django_db(transaction=True)


def _write():
    RateLimitBucket.objects.create(key="written", tokens=1.0, updated_at=0.0)


def test_the_write_runs_on_the_threads_own_connection_when_it_works():
    own = connection.connection

    assert on_usable_connection(_write, what="a bucket") is True
    assert RateLimitBucket.objects.filter(key="written").count() == 1
    assert connection.connection is own


def test_a_connection_cut_mid_command_gets_the_write_done_on_a_fresh_one(caplog):
    connection.ensure_connection()
    connection.connection.close()  # what a SIGTERM between send and answer leaves: unusable

    assert on_usable_connection(_write, what="a bucket") is True
    connection.close()  # the test's own connection reconnects
    assert RateLimitBucket.objects.filter(key="written").count() == 1
    assert "not written" not in caplog.text


def test_a_write_that_fails_everywhere_is_logged_not_raised(caplog):
    def broken():
        with connection.cursor() as cursor:
            cursor.execute("SELECT no_such_column FROM channels_app_ratelimitbucket")

    assert on_usable_connection(broken, what="a bucket") is False
    assert "a bucket: not written" in caplog.text
