import pytest

from tests.participation.factories import setup_municipality


@pytest.fixture
def town(province):
    """The province's site, ready for proposals: index, topic, workflow, a moderator and a committee member."""
    return setup_municipality(province)


@pytest.fixture
def city_town(city, town):
    return setup_municipality(city)
