"""The shared cache: django-redis, on a per-process memory cache while Redis is unreachable.

With Redis down every cache call would raise (a 500 on every page) or, with django-redis's
IGNORE_EXCEPTIONS, answer "nothing" — which turns allauth's rate-limit lock into a refusal
of every sign-in. Falling back to a memory cache per process keeps pages, locks and rate
limits working (limits then count per process) until Redis answers again.
"""

import logging

from django.core.cache.backends.locmem import LocMemCache
from django_redis.cache import RedisCache as DjangoRedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

_METHODS = (
    "get",
    "set",
    "add",
    "delete",
    "get_many",
    "set_many",
    "delete_many",
    "has_key",
    "incr",
    "decr",
    "touch",
    "clear",
)


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        params = {**params, "OPTIONS": {**params.get("OPTIONS", {}), "IGNORE_EXCEPTIONS": False}}
        super().__init__(server, params)
        self.fallback = LocMemCache(
            f"redis-fallback:{server}",
            {key: params[key] for key in ("TIMEOUT", "KEY_PREFIX", "VERSION") if key in params},
        )


def _falling_back(name):
    redis_method = getattr(DjangoRedisCache, name)

    def method(self, *args, **kwargs):
        try:
            return redis_method(self, *args, **kwargs)
        except (RedisError, OSError) as error:
            logger.warning("Cache on memory: Redis unreachable (%s)", error.__class__.__name__)
            kwargs.pop("client", None)
            return getattr(self.fallback, name)(*args, **kwargs)

    method.__name__ = name
    return method


for _name in _METHODS:
    setattr(RedisCache, _name, _falling_back(_name))
