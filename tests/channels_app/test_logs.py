"""The routine rescue logs at DEBUG; a rescue that found stalled work stays at INFO."""

from __future__ import annotations

import logging

import pytest

from channels_app.logs import RESCUE_TASK

SUCCESS = "Task %(name)s[%(id)s] succeeded in %(runtime)ss: %(return)s"


def _success(result: str, name: str = RESCUE_TASK) -> dict:
    return {"name": name, "id": "t1", "runtime": 0.01, "return": result}


@pytest.fixture
def trace_at_info():
    logger = logging.getLogger("celery.app.trace")
    previous = logger.level
    logger.setLevel(logging.INFO)
    yield logger
    logger.setLevel(previous)


def test_a_rescue_that_found_nothing_is_not_logged_at_info(trace_at_info, caplog):
    with caplog.at_level(logging.INFO, logger="celery.app.trace"):
        trace_at_info.info(SUCCESS, _success("{'drains': 0, 'pushes': 0, 'consumers': 0}"))

    assert caplog.records == []


def test_a_rescue_that_found_stalled_work_stays_at_info(trace_at_info, caplog):
    with caplog.at_level(logging.INFO, logger="celery.app.trace"):
        trace_at_info.info(SUCCESS, _success("{'drains': 0, 'pushes': 2, 'consumers': 0}"))

    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [
        ("INFO", f"Task {RESCUE_TASK}[t1] succeeded in 0.01s: {{'drains': 0, 'pushes': 2, 'consumers': 0}}")
    ]


def test_other_tasks_and_debug_loggers_keep_their_lines(trace_at_info, caplog):
    with caplog.at_level(logging.DEBUG, logger="celery.app.trace"):
        trace_at_info.setLevel(logging.DEBUG)
        trace_at_info.info(SUCCESS, _success("{'drains': 0}"))
        trace_at_info.info(SUCCESS, _success("{'pushed': 0}", name="channels_app.tasks.account_push_task"))

    assert [r.levelname for r in caplog.records] == ["DEBUG", "INFO"]


def test_beats_sending_of_the_rescue_is_debug(caplog):
    beat = logging.getLogger("celery.beat")
    with caplog.at_level(logging.INFO, logger="celery.beat"):
        beat.info("Scheduler: Sending due task %s (%s)", "channels-stalled-rescue", RESCUE_TASK)
        beat.info("Scheduler: Sending due task %s (%s)", "channels-outbox-sweep", "x.outbox_sweep_task")

    assert [r.getMessage() for r in caplog.records] == [
        "Scheduler: Sending due task channels-outbox-sweep (x.outbox_sweep_task)"
    ]
