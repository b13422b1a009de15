"""task_enqueue: a task named, sent once its caller's transaction commits, never on a rollback."""

from __future__ import annotations

import pytest
from celery import shared_task
from celery.exceptions import NotRegistered
from django.db import transaction

from config.integrations.tasks import task_enqueue

pytestmark = pytest.mark.django_db
RAN: list[tuple] = []


@shared_task(name="tests.config.integrations.record_task")
def record_task(*args, **kwargs) -> None:
    RAN.append((args, kwargs))


@pytest.fixture(autouse=True)
def _fresh(eager_celery):
    RAN.clear()


def test_the_task_runs_with_its_arguments_once_the_transaction_commits(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        task_enqueue(name="tests.config.integrations.record_task", args=(7,), kwargs={"reason": "x"})
        assert RAN == []

    assert RAN == [((7,), {"reason": "x"})]


def test_nothing_is_sent_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        task_enqueue(name="tests.config.integrations.record_task", args=(1,))
        raise RuntimeError("rolled back")

    assert (callbacks, RAN) == ([], [])


def test_an_unknown_task_name_is_refused_when_it_is_sent(django_capture_on_commit_callbacks):
    with pytest.raises(NotRegistered), django_capture_on_commit_callbacks(execute=True):
        task_enqueue(name="channels_app.tasks.no_such_task")

    assert RAN == []


def test_every_task_name_of_the_engine_is_registered():
    from channels_app import task_names
    from config.celery import app

    names = {value for key, value in vars(task_names).items() if key.isupper() and not key.startswith("_")}

    assert len(names) == 15
    assert sorted(name for name in names if name not in app.tasks) == []
