"""Tasks are enqueued after commit, coalesced per account, and beat rows exist per account."""

from __future__ import annotations

import json

import pytest
from django_celery_beat.models import PeriodicTask

from channels_app.models import ChannelAccount
from channels_app.push.outbox import account_push_request
from channels_app.services.accounts import account_create

pytestmark = pytest.mark.django_db


def _account(name="Shop", **kwargs):
    return account_create(
        kind="generic",
        name=name,
        base_url="https://shop.example.com/api/",
        credentials={"api_key": "k", "webhook_secret": "s"},
        **kwargs,
    )


def test_account_gets_its_poll_and_reconcile_beat_entries():
    account = _account(poll_interval_seconds=45)

    tasks = {t.name: t for t in PeriodicTask.objects.filter(name__contains=f":{account.pk}")}

    poll = tasks[f"channels:orders-poll:{account.pk}"]
    assert (poll.task, json.loads(poll.args), poll.interval.every) == (
        "channels_app.tasks.account_orders_sync_task",
        [account.pk],
        45,
    )
    assert tasks[f"channels:reconcile:{account.pk}"].task == "channels_app.tasks.account_reconcile_task"


def test_push_requests_are_enqueued_on_commit_and_coalesced(on_commit):
    account = _account()

    with on_commit(execute=False) as callbacks:
        account_push_request(account_ids=[account.pk])
        account_push_request(account_ids=[account.pk])
        account_push_request(account_ids=[account.pk])

    assert len(callbacks) == 1
    assert ChannelAccount.objects.get(pk=account.pk).push_enqueued_at is not None


def test_disabled_accounts_get_no_push(on_commit):
    account = _account(enabled=False)

    with on_commit(execute=False) as callbacks:
        account_push_request(account_ids=[account.pk])

    assert callbacks == []


def test_beat_runs_the_stalled_work_rescue_every_few_seconds(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["channels-stalled-rescue"]

    assert (entry["task"], entry["schedule"], entry["options"]) == (
        "channels_app.tasks.stalled_work_rescue_task",
        5.0,
        {"expires": 5.0},
    )
