import pytest
from django.conf import settings
from django.utils import translation

from tests.factories import StaffFactory, UserFactory
from tests.voting.factories import make_poll, verify

HOST = {"HTTP_HOST": "changwon.test"}


@pytest.fixture(autouse=True)
def _english(client):
    """Assert on the English source text, whatever the Korean catalogue says."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def voter(city):
    user = UserFactory(display_name="투표자")
    verify(user, city)
    return user


@pytest.fixture
def staff(db):
    return StaffFactory(display_name="담당자")


@pytest.fixture
def poll(city):
    return make_poll(
        city,
        questions=[
            (
                "single",
                "Where should the new bus line go?",
                ["City hall", "Station", "Market"],
                None,
            ),
            ("multiple", "Which stops matter most?", ["School", "Hospital", "Park", "Library"], 2),
            ("ranking", "Rank the timetables", ["Morning", "Evening", "Night"], None),
        ],
    )
