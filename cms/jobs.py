"""Background jobs through rq.

With REDIS_URL set, jobs go to Redis and an `rqworker` runs them. Without it (the
embedded default) the same rq queue runs them synchronously in-process, on an
in-memory Redis, so a laptop needs nothing else installed.

Queueing never raises into a request: work that must not be lost is written to the
database first (cms.models.OutboxMail) and a sweeper queues again whatever Redis lost.
"""

import logging
from functools import cache

from django.conf import settings
from django.db import transaction
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue

logger = logging.getLogger(__name__)


@cache
def _in_process_connection():
    import fakeredis

    return fakeredis.FakeRedis()


@cache
def _connection(url):
    # Short timeouts: with Redis gone, a request waits a moment, not a minute.
    return Redis.from_url(url, socket_connect_timeout=1, socket_timeout=5)


def get_queue(name="default"):
    if settings.REDIS_URL:
        timeout = settings.RQ_QUEUES.get(name, {}).get("DEFAULT_TIMEOUT", 600)
        return Queue(name, connection=_connection(settings.REDIS_URL), default_timeout=timeout)
    return Queue(name, connection=_in_process_connection(), is_async=False)


def enqueue_now(func, *args, queue="default", **kwargs):
    """Queue func(*args, **kwargs); False (logged) when Redis cannot take it."""
    try:
        get_queue(queue).enqueue(func, *args, **kwargs)
    except (RedisError, OSError) as error:
        logger.warning("Could not queue %s: %s", func.__name__, error.__class__.__name__)
        return False
    return True


def enqueue(func, *args, queue="default", **kwargs):
    """Queue func(*args, **kwargs) once the current transaction commits; never raises."""
    transaction.on_commit(lambda: enqueue_now(func, *args, queue=queue, **kwargs), robust=True)


def enqueue_at(when, func, *args, queue="default", **kwargs):
    """Queue func for `when` after the commit (rq's scheduler runs it); never raises."""

    def schedule():
        try:
            get_queue(queue).enqueue_at(when, func, *args, **kwargs)
        except (RedisError, OSError) as error:
            logger.warning("Could not schedule %s: %s", func.__name__, error.__class__.__name__)

    transaction.on_commit(schedule, robust=True)
