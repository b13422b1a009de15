"""The Celery application: configured from Django settings (CELERY_* names).

Also the worker's consumer class (CELERY_WORKER_CONSUMER), which keeps a worker running when the
Redis broker goes away under it and sends :data:`broker_reconnected` once it is back: see
:class:`BrokerLossSafeConsumer`.
"""

import contextlib
import os

from celery import Celery
from celery.utils.dispatch import Signal
from celery.utils.threads import bound_open_broker_sockets
from celery.worker.consumer import Consumer
from celery.worker.consumer.consumer import COLLECT_SOCKET_TIMEOUT

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("stockmaster")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

#: Sent by a worker's consumer (sender: the consumer) when it has connected to the broker again
#: after losing it. The tasks queued meanwhile may be gone with the broker (a Redis restarted
#: empty) and the tasks it cancelled are not redelivered before the visibility timeout: apps
#: re-queue their stalled work at once instead of waiting for beat's rescue.
broker_reconnected = Signal(name="broker_reconnected")


def _broker_channels(connection) -> list:
    """The channels of a kombu connection, read without opening anything."""
    channels = [getattr(connection, "_default_channel", None)]
    channels += list(getattr(getattr(connection, "_transport", None), "channels", None) or ())
    return [channel for channel in channels if channel is not None]


def _pending_brpop_finish(connection) -> None:
    """Read the reply of every BRPOP still in flight on ``connection``'s Redis channels.

    kombu's Redis ``Channel.close()`` first reads that reply and only expects "nothing came"
    (``Empty``). When the broker is gone the read raises ``ConnectionError`` and ``close()`` stops
    there, leaving the channel open with its unacknowledged (late-ack) messages. Celery's
    ``Connection.collect()`` swallows that error and detaches the transport, so the second close
    (``connection.close()``) re-enters ``Channel.close()``, whose restore of those messages needs
    the detached transport's ``client.hostname``: an ``AttributeError`` nothing catches, and the
    worker exits ("Unrecoverable error ... 'NoneType' object has no attribute 'hostname'").

    Reading the reply here, with the connection error ignored (the socket is dead, there is no
    reply to lose), clears the channel's in-poll state, so kombu's own close then runs through
    and its restore fails with an ordinary connection error that kombu and Celery handle.
    A reply that does arrive is delivered as ``close()`` would have delivered it.
    """
    for channel in _broker_channels(connection):
        if not getattr(channel, "_in_poll", None):
            continue  # not Redis, or no BRPOP in flight
        with contextlib.suppress(Exception):  # Empty, or the connection error being handled
            channel._brpop_read()
        channel._in_poll = None


class BrokerLossSafeConsumer(Consumer):
    """Celery's worker consumer, surviving the loss of a Redis broker with late-ack tasks running.

    Workaround for kombu 5.7.0 / celery 5.7.0 (no released fix): see
    :func:`_pending_brpop_finish`. Everything else, including cancelling running late-ack tasks
    (worker_cancel_long_running_tasks_on_connection_loss) and reconnecting, is Celery's own.
    Transports other than Redis are unaffected. After a reconnection (not the first connection)
    it sends :data:`broker_reconnected`.
    """

    def connect(self):
        """Connect (Celery's own retries), then announce a reconnection."""
        again = not self.first_connection_attempt
        connection = super().connect()
        if again:
            broker_reconnected.send(sender=self, worker=self.hostname)  # a failing receiver is logged
        return connection

    def on_connection_error_after_connected(self, exc):
        """Settle in-flight BRPOPs, then let Celery tear the connection down and reconnect."""
        if self.connection is not None:
            # The same bound Celery applies before its cleanup: a read on a peer that went
            # silent (no RST) must not block the worker forever.
            bound_open_broker_sockets(self.connection, COLLECT_SOCKET_TIMEOUT)
            _pending_brpop_finish(self.connection)
        super().on_connection_error_after_connected(exc)
