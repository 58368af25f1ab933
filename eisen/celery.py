"""The Celery app, and what its workers do each time they (re)connect to the broker.

Redis runs without persistence here, so a Redis restart loses the messages of queued exports.
The database is the record: when a worker's consumer starts (at start-up and after every lost
connection) it sends again the exports still queued whose message the broker no longer holds.
"""

import logging
import os

from celery import Celery, bootsteps
from kombu import Connection

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "eisen.settings")

logger = logging.getLogger("eisen.exports")

#: A key the workers keep in the broker's Redis database. Missing, it tells that Redis lost what
#: it held (restarted without persistence, or flushed), and with it every queued message.
BROKER_KEEPS_MESSAGES_KEY = "eisen:broker-keeps-messages"

app = Celery("eisen")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def broker_error(url: str, *, timeout: float) -> Exception | None:
    """The error met connecting to the broker at `url` within `timeout` s; None if it answers."""
    try:
        with Connection(url, connect_timeout=timeout) as broker:
            broker.ensure_connection(max_retries=0, timeout=timeout)
    except Exception as error:
        return error
    return None


class ResendWaitingExports(bootsteps.StartStopStep):
    """Send again, on every (re)connection, the exports that wait for a message that is gone.

    All queued exports when Redis lost its data; otherwise only those whose sending failed. A
    message sent twice is harmless: the task claims its job under a row lock and leaves a job
    that another worker is building, or that is finished, alone.
    """

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def start(self, consumer):
        from django.db import connections

        from eisen import exports

        try:
            with consumer.app.connection_for_write() as broker:
                client = broker.default_channel.client
                broker_was_emptied = not client.exists(BROKER_KEEPS_MESSAGES_KEY)
                resent = exports.resend_waiting_exports(all_queued=broker_was_emptied)
                # Set only once the exports are sent: if this failed, the next start tries again.
                client.set(BROKER_KEEPS_MESSAGES_KEY, "1")
        except Exception:
            # The worker must keep consuming; the next reconnection tries again.
            logger.exception("Could not send the waiting exports again")
            return
        finally:
            # The worker's main process forks new pool processes later; none may share this one.
            connections.close_all()
        if resent:
            logger.info("Sent %s waiting export(s) again after connecting to the broker", resent)


app.steps["consumer"].add(ResendWaitingExports)
