"""A paginator that counts a long list once every few seconds instead of on every request.

"Page 3 of 1,001" needs the number of rows; at 20,000 proposals counting them is most of a
list page's database time (100-130 ms, issue 10). The count is kept in the cache, keyed by
the exact query, for LIST_COUNT_SECONDS; a list that grew since shows its new rows at once
(the rows are always read fresh), only the total may lag by that long.
"""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CachedCountPaginator(Paginator):
    @cached_property
    def count(self):
        query = getattr(self.object_list, "query", None)
        if query is None or settings.LIST_COUNT_SECONDS <= 0:
            return super().count
        try:
            sql, params = query.sql_with_params()
        except Exception:  # an empty result set (.none()) has no SQL
            return super().count
        digest = hashlib.sha256(repr((sql, params)).encode()).hexdigest()
        key = f"list-count:{digest}"
        count = cache.get(key)
        if count is None:
            count = super().count
            cache.set(key, count, settings.LIST_COUNT_SECONDS)
        return count
