"""Live figures for the key-figures block, counted from the database and cached briefly.

``cms`` imports no app: each app registers the figures it can count in its
``personal_data``-style module ``live_figures`` (found by autodiscover at start-up).
"""

from django.core.cache import cache
from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext_lazy as _

CACHE_SECONDS = 60
FIGURES = [
    ("participants", _("Participants")),
    ("proposals", _("Citizen proposals")),
    ("answers", _("Committee answers")),
    ("supports", _("Supports")),
]
_counters = {}


def register(key):
    def decorator(function):
        _counters[key] = function
        return function

    return decorator


def autodiscover():
    autodiscover_modules("live_figures")


def figures(site):
    """{key: number} for the site, each an aggregate query, cached for a minute."""
    if site is None:
        return {}
    cache_key = f"live-figures:{site.pk}"
    values = cache.get(cache_key)
    if values is None:
        root = site.root_page
        values = {key: counter(root) for key, counter in _counters.items()}
        cache.set(cache_key, values, CACHE_SECONDS)
    return values
