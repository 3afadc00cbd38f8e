"""Site settings read once per process and generation, not once per call.

Wagtail's `BaseSiteSetting.for_site` runs a query on every call, and one page asks for the
same municipality's settings several times (the context processor, the support rule, the
residency check...). `CachedSiteSetting.for_site` keeps each settings row per process,
keyed by the public content's generation (`cms.page_cache`), which every save or delete of
a settings row moves on: a settings edit shows on the next request in every process.

Only requests use the cache (the generation is read once per request, in its memo); jobs,
commands and the shell always read the row. Each request works on its own copy, so a view
that changes its settings object changes nobody else's. Without Redis (the demo) there is no
generation shared between processes, so rows are kept for one request only.
"""

import contextvars
import copy

from django.conf import settings
from wagtail.contrib.settings.models import BaseSiteSetting

_request = contextvars.ContextVar("cms_request_memo", default=None)
_rows = {}  # (model label, site id) -> (generation, settings row)


class RequestMemoMiddleware:
    """Opens a memo for the request: its content generation and the settings it has read."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _request.set({})
        try:
            return self.get_response(request)
        finally:
            _request.reset(token)


def request_memo():
    """The current request's memo (a dict), or None outside a request."""
    return _request.get()


class CachedSiteSetting(BaseSiteSetting):
    # Related objects every page shows (a logo, footer pages): loaded once with the kept row
    # and shared, read-only, by the requests that use it.
    kept_relations = ()

    class Meta:
        abstract = True

    @classmethod
    def for_site(cls, site):
        memo = _request.get()
        if memo is None or site is None:
            return super().for_site(site)
        key = (cls._meta.label, site.pk)
        if key in memo:
            return memo[key]
        if not settings.REDIS_URL:  # no shared generation: processes could not tell a change
            memo[key] = super().for_site(site)
            return memo[key]
        from cms.page_cache import generation

        current = generation()
        kept = _rows.get(key)
        if kept is None or kept[0] != current:
            row = super().for_site(site)
            for name in cls.kept_relations:
                getattr(row, name)
            kept = (current, row)
            _rows[key] = kept
        memo[key] = _own_copy(kept[1])
        return memo[key]


def _own_copy(row):
    """A copy with its own field values and caches; related objects already loaded are
    shared."""
    clone = copy.copy(row)
    clone._state = copy.copy(row._state)
    clone._state.fields_cache = dict(row._state.fields_cache)
    clone._page_url_cache = {}
    return clone


def forget(sender, instance=None, **_kwargs):
    """A settings row changed: drop it from this request's memo (other processes see the
    new generation)."""
    memo = _request.get()
    if memo is not None and instance is not None:
        memo.pop((sender._meta.label, instance.site_id), None)
    _rows.pop((sender._meta.label, getattr(instance, "site_id", None)), None)
