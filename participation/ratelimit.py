"""Writing limits per person, counted atomically in Django's cache (Redis when configured).

Each kind of write has a fixed window per person. The count is taken with one atomic
``incr`` (after an ``add`` that creates the key if missing), and the write is allowed only
if the new count is within the limit: two requests racing each other can never both take
the last place, in Redis (shared by every web process) or in the per-process local cache.
Accounts younger than a day get lower limits where it matters.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

NEW_ACCOUNT_AGE = datetime.timedelta(days=1)

# kind: (writes per window, writes per window for new accounts, window in seconds).
# "write" (comments, debates) takes its numbers from the site's DiscussionSettings.
DEFAULT_LIMITS = {
    "proposal": (10, 5, 3600),
    "report": (20, 10, 600),
    "click": (60, 30, 60),  # supports, follows, votes on debates
}


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    is_new: bool

    def __bool__(self):
        return self.allowed


def is_new_account(user, now=None):
    now = now or timezone.now()
    return bool(user.date_joined and now - user.date_joined < NEW_ACCOUNT_AGE)


def _limits(kind, config):
    if kind == "write":
        return config.writes_per_minute, config.new_account_writes_per_minute, 60
    limits = {**DEFAULT_LIMITS, **getattr(settings, "PARTICIPATION_RATE_LIMITS", {})}
    return limits[kind]


def take(user, kind="write", config=None):
    """Count one write of this kind for this person; a false Verdict if over the limit."""
    now = timezone.now()
    limit, new_limit, window = _limits(kind, config)
    is_new = is_new_account(user, now)
    if is_new:
        limit = new_limit
    key = f"participation:rate:{kind}:{user.pk}:{int(now.timestamp() // window)}"
    cache.add(key, 0, timeout=window * 2)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window * 2)
        count = 1
    return Verdict(count <= limit, limit, is_new)
