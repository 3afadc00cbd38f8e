"""Citizens find proposals by the words of their title, summary or body (issue 10: on
PostgreSQL through the full-text index; SQLite keeps a substring match)."""

import pytest
from django.db import connection

from tests.factories import UserFactory
from tests.participation.factories import publish, submit

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_proposals(client, town, citizen, run_jobs):
    with run_jobs():
        night = submit(client, town, citizen, title="야간 버스 노선을 늘려 주세요")
        publish(client, town, night)
        park = submit(
            client, town, UserFactory(), title="공원에 그늘막", summary="놀이터 옆 쉼터 제안"
        )
        publish(client, town, park)
    client.logout()
    return night, park


def titles(client, town, query):
    response = client.get(town.index.get_url(), {"q": query}, HTTP_HOST=town.host)
    assert response.status_code == 200
    return [proposal.title for proposal in response.context["proposals"]]


def test_search_finds_proposals_by_words_and_their_beginnings(client, town, two_proposals):
    night, park = two_proposals
    assert titles(client, town, "야간") == [night.title]
    assert titles(client, town, "놀이터") == [park.title]  # a word of the summary
    assert titles(client, town, "버스 노선") == [night.title]  # every word must match
    assert titles(client, town, "버스 공원") == []
    if connection.vendor == "postgresql":
        assert titles(client, town, "노") == [night.title]  # the beginning of a word


def test_search_with_no_words_finds_nothing_and_fails_nothing(client, town, two_proposals):
    assert titles(client, town, "' OR 1=1 --") == []
    assert titles(client, town, "!!!") == []
