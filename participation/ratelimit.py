"""Writing limits per person per minute, in Django's cache (Redis when configured).

A fixed one-minute window per person: simple, shared by every web process when the cache
is Redis, and strict enough to stop floods. Accounts younger than a day get a lower limit.
"""

import datetime

from django.core.cache import cache
from django.utils import timezone

NEW_ACCOUNT_AGE = datetime.timedelta(days=1)


def _key(user, now):
    return f"participation:writes:{user.pk}:{int(now.timestamp() // 60)}"


def limit_for(user, config, now=None):
    now = now or timezone.now()
    if user.date_joined and now - user.date_joined < NEW_ACCOUNT_AGE:
        return config.new_account_writes_per_minute, True
    return config.writes_per_minute, False


def allowed(user, config):
    """(may write now, the limit, whether the stricter new-account limit applies)."""
    now = timezone.now()
    limit, is_new = limit_for(user, config, now)
    return (cache.get(_key(user, now), 0) < limit), limit, is_new


def record(user):
    key = _key(user, timezone.now())
    if not cache.add(key, 1, timeout=120):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=120)
