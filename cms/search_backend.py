"""Wagtail's database search backend, with page creation that does not slow as a site grows.

On PostgreSQL the stock backend ends every `add_items` (each `add_child`, each publish) with
`_refresh_title_norms()`: an average over every index entry's title length, then an UPDATE
that scans the whole index for entries still at the default norm. Under 20,000 proposals that
is most of the 270 ms an `add_child` costs (issue 10). Here the average is kept in the cache
for an hour and only the entries just written are updated; `update_index` (the rebuilder)
still recomputes every norm exactly. Other databases use the stock backend unchanged.
"""

import functools

from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.db.models.functions import Length
from modelsearch.backends.database import SearchBackend as StockSearchBackend

AVERAGE_KEY = "search:title-length-average"
AVERAGE_SECONDS = 3600


def SearchBackend(params):
    if connection.vendor != "postgresql":
        return StockSearchBackend(params)
    return _postgres_backend()(params)


@functools.cache
def _postgres_backend():
    from django.db.models import Avg
    from modelsearch.backends.database.postgres.postgres import (
        PostgresIndex,
        PostgresSearchBackend,
    )
    from modelsearch.utils import get_content_type_pk

    class IncrementalNormIndex(PostgresIndex):
        def add_items(self, model, objs):
            objs = list(objs)
            self._added = (get_content_type_pk(model), [str(obj.pk) for obj in objs])
            try:
                super().add_items(model, objs)
            finally:
                self._added = None

        def _refresh_title_norms(self, full=False):
            added = getattr(self, "_added", None)
            if full or added is None:
                cache.delete(AVERAGE_KEY)
                return super()._refresh_title_norms(full=full)
            average = cache.get(AVERAGE_KEY)
            if average is None:
                average = (
                    self.entries.annotate(title_length=Length("title"))
                    .filter(title_length__gt=0)
                    .aggregate(Avg("title_length"))["title_length__avg"]
                )
                if average is None:
                    return None
                cache.set(AVERAGE_KEY, average, AVERAGE_SECONDS)
            content_type_pk, object_ids = added
            self.entries.filter(content_type_id=content_type_pk, object_id__in=object_ids).annotate(
                title_length=Length("title")
            ).filter(title_length__gt=0).update(title_norm=average / F("title_length"))
            return None

    class IncrementalNormBackend(PostgresSearchBackend):
        index_class = IncrementalNormIndex

    return IncrementalNormBackend
