"""The worker's consumer announces a reconnection to the broker, not its first connection."""

from __future__ import annotations

from celery.worker.consumer import Consumer

from config.celery import BrokerLossSafeConsumer, broker_reconnected


def test_the_consumer_announces_a_reconnection_but_not_its_first_connection(monkeypatch):
    heard = []

    def receiver(sender=None, worker="", **_kwargs):
        heard.append(worker)

    def connect(self):
        self.first_connection_attempt = False
        return "connection"

    monkeypatch.setattr(Consumer, "connect", connect)
    consumer = object.__new__(BrokerLossSafeConsumer)
    consumer.hostname, consumer.first_connection_attempt = "w@h", True
    broker_reconnected.connect(receiver)
    try:
        first = consumer.connect()
        assert heard == []
        again = consumer.connect()
    finally:
        broker_reconnected.disconnect(receiver)

    assert (first, again, heard) == ("connection", "connection", ["w@h"])
