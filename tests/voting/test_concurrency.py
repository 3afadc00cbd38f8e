"""Under concurrent requests: one participation per voter, and every voter counted.

These run real threads, each with its own Client and database connection, on
PostgreSQL (CI). They are skipped on SQLite: its in-memory test database locks whole
tables across threads without waiting, which says nothing about a real deployment.
"""

import datetime
import threading

import pytest
import time_machine
from django.db import connection

from tests.factories import UserFactory
from tests.voting.factories import ensure_tree, make_poll, verify
from tests.voting.helpers import HOST, RECEIPT_RE
from voting import secrecy
from voting.models import Answer, Ballot, CountedReceipt, Participation, SealedEnvelope

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is checked on PostgreSQL"
    ),
    pytest.mark.usefixtures("tree"),
]


def run_in_threads(jobs):
    barrier = threading.Barrier(len(jobs))
    results = [None] * len(jobs)

    def worker(index, job):
        from django.test import Client

        try:
            client = Client()
            client.cookies["django_language"] = "en"
            barrier.wait(timeout=30)
            results[index] = job(client)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, job)) for i, job in enumerate(jobs)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def vote_job(user, poll, option):
    question = poll.question_list[0]

    def job(client):
        client.force_login(user)
        response = client.post(
            poll.url,
            {"action": "vote", "confirm": "yes", f"q{question.pk}": str(option.pk)},
            **HOST,
        )
        return response.status_code, response.content.decode()

    return job


@pytest.fixture
def tree(db):
    ensure_tree()


@pytest.fixture
def poll_and_options(city):
    poll = make_poll(city)
    return poll, list(poll.question_list[0].options.all())


def test_same_voter_from_many_connections_leaves_one_participation(city, poll_and_options):
    poll, options = poll_and_options
    user = UserFactory(language="en")
    verify(user, city)
    results = run_in_threads([vote_job(user, poll, options[i % 3]) for i in range(8)])
    codes = sorted(code for code, _html in results)
    assert codes.count(200) == 1, codes
    assert set(codes) == {200, 409}
    assert all(
        "You have already voted in this poll." in html for code, html in results if code == 409
    )
    assert Participation.objects.filter(contest=poll, user=user).count() == 1
    assert SealedEnvelope.objects.count() == 1
    assert len(secrecy.decrypt_all(poll)) == 1
    receipts = [RECEIPT_RE.search(html.split("Your receipt code:")[-1]) for _c, html in results]
    assert sum("Your receipt code:" in html for _code, html in results) == 1
    assert any(receipts)


def test_many_voters_at_once_are_all_counted(city, poll_and_options):
    poll, options = poll_and_options
    voters = []
    for _ in range(12):
        user = UserFactory(language="en")
        verify(user, city)
        voters.append(user)
    results = run_in_threads(
        [vote_job(user, poll, options[i % 3]) for i, user in enumerate(voters)]
    )
    assert [code for code, _html in results] == [200] * 12
    assert Participation.objects.filter(contest=poll).count() == 12
    with time_machine.travel(poll.closes_at + datetime.timedelta(minutes=1)):
        secrecy.open_contest(poll)
    assert Ballot.objects.filter(poll=poll).count() == 12
    counts = {o.pk: Answer.objects.filter(option=o).count() for o in options}
    assert sorted(counts.values()) == [4, 4, 4]


def test_one_participation_per_contest_scope_and_user_under_concurrent_casts(
    city, poll_and_options
):
    """Through the generic API (as a budget casts per heading): eight simultaneous casts
    for one heading and four for another leave exactly one vote in each."""
    poll, _options = poll_and_options
    user = UserFactory(language="en")
    outcomes = []

    def cast_job(scope):
        def job(_client):
            try:
                return secrecy.cast(poll, scope, user, {"answers": []})
            except secrecy.AlreadyVoted:
                return "refused"

        return job

    outcomes = run_in_threads([cast_job("heading-1")] * 8 + [cast_job("heading-2")] * 4)
    assert outcomes[:8].count("refused") == 7 and outcomes[8:].count("refused") == 3
    assert sorted(
        Participation.objects.filter(contest=poll, user=user).values_list("scope", flat=True)
    ) == ["heading-1", "heading-2"]
    assert sorted(o.scope for o in secrecy.decrypt_all(poll)) == ["heading-1", "heading-2"]


def test_concurrent_openings_open_once(city, poll_and_options):
    poll, options = poll_and_options
    voters = []
    for _ in range(6):
        user = UserFactory(language="en")
        verify(user, city)
        voters.append(user)
    results = run_in_threads([vote_job(user, poll, options[0]) for user in voters])
    assert [code for code, _html in results] == [200] * 6

    def open_job(_client):
        box = secrecy.open_contest(poll, now=poll.closes_at + datetime.timedelta(minutes=1))
        return box.opened_envelopes

    opened = run_in_threads([open_job] * 8)
    assert opened == [6] * 8
    assert Ballot.objects.filter(poll=poll).count() == 6
    assert Answer.objects.filter(option=options[0]).count() == 6
    assert CountedReceipt.objects.count() == 6 and SealedEnvelope.objects.count() == 0
