"""Background jobs through django-rq.

With REDIS_URL set, jobs go to Redis and an `rqworker` runs them. Without it (the
embedded default) the same rq queue runs them synchronously in-process, on an
in-memory Redis, so a laptop needs nothing else installed.
"""

from functools import cache

import django_rq
from django.conf import settings
from django.db import transaction
from rq import Queue


@cache
def _in_process_connection():
    import fakeredis

    return fakeredis.FakeRedis()


def get_queue(name="default"):
    if settings.REDIS_URL:
        return django_rq.get_queue(name)
    return Queue(name, connection=_in_process_connection(), is_async=False)


def enqueue(func, *args, queue="default", **kwargs):
    """Queue func(*args, **kwargs) once the current transaction commits."""
    transaction.on_commit(lambda: get_queue(queue).enqueue(func, *args, **kwargs))
