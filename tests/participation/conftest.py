import pytest
from django.core.cache import cache

from tests.participation.factories import setup_municipality


@pytest.fixture(autouse=True)
def _forget_cached_site_paths():
    """Wagtail caches site root paths; rolled-back sites must not leak into later tests."""
    yield
    cache.clear()


@pytest.fixture
def town(province):
    """The province's site, ready for proposals (index, topic, workflow, moderator, committee)."""
    return setup_municipality(province)


@pytest.fixture
def city_town(city, town):
    return setup_municipality(city)
