import pytest

from tests.participation.factories import setup_municipality


@pytest.fixture
def town(province):
    """The province's site, ready for proposals (see tests/participation/conftest.py)."""
    return setup_municipality(province)


@pytest.fixture
def city_town(city, town):
    return setup_municipality(city)
