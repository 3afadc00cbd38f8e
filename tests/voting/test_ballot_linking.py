"""The attacks of issue 14 on the secret ballot, run on PostgreSQL with committed transactions.

An attacker holds a copy of the database (a `pg_dump`, a replica) and tries to tie each
voter to a ballot: by transaction id (`xmin`, the same for rows one transaction wrote) and
by physical row order (what `COPY table TO STDOUT`, i.e. `pg_dump --data-only`, prints).

Every voter casts a *different* ballot (a full ranking of five options: 120 possible), so a
link is unmistakable. If the order of the stored ballots is independent of the order of the
voters, the number of voters whose ballot sits at their own position is the number of fixed
points of a random permutation: Poisson(1), P(≥ 9) ≈ 1.1·10⁻⁶. Before the ballot box, the
row order linked 30 of 30 sequential voters and most concurrent ones, and `xmin` all of them.
"""

import datetime
import itertools
import random
import threading

import pytest
import time_machine
from django.db import connection, connections, transaction
from django.test import Client

from tests.factories import UserFactory
from tests.voting.factories import ensure_tree, make_poll, verify
from tests.voting.helpers import HOST, RECEIPT_RE
from voting import secrecy
from voting.models import Answer, Ballot, CountedReceipt, Participation, SealedEnvelope

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="xmin and heap order are PostgreSQL's"
    ),
    pytest.mark.usefixtures("tree"),
]

CHANCE_BOUND = 8  # P(a random permutation of n ≥ 9 items has more fixed points) ≈ 1.1e-6


@pytest.fixture
def tree(db):
    ensure_tree()


@pytest.fixture
def ranking_poll(city):
    return make_poll(
        city,
        questions=[("ranking", "Rank the five projects", ["A", "B", "C", "D", "E"], None)],
    )


def rankings(poll, count):
    """`count` different full rankings, as {option id: rank}, in a fixed scrambled order."""
    options = [o.pk for o in poll.question_list[0].options.all()]
    permutations = random.Random(14).sample(list(itertools.permutations(range(1, 6))), count)
    return [dict(zip(options, ranks, strict=True)) for ranks in permutations]


def vote(client, poll, ranking):
    question = poll.question_list[0]
    data = {f"q{question.pk}_o{option}": str(rank) for option, rank in ranking.items()}
    response = client.post(poll.url, {**data, "action": "vote", "confirm": "yes"}, **HOST)
    assert response.status_code == 200, response.content.decode()[-400:]
    return RECEIPT_RE.search(response.content.decode()).group(0)


def copy_out(table):
    """The table's rows as `pg_dump --data-only` writes them: COPY TO STDOUT, heap order."""
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f'COPY "{table}" TO STDOUT') as copy:
            data = b"".join(bytes(chunk) for chunk in copy)
    columns = [
        c.name for c in connection.introspection.get_table_description(connection.cursor(), table)
    ]
    return [
        dict(zip(columns, line.split("\t"), strict=True)) for line in data.decode().splitlines()
    ]


def link_by_order(poll, chosen_by_user):
    """The row-order attack: the i-th participation in the dump is guessed to be the i-th
    ballot. Returns how many guesses are right."""
    participations = [
        int(row["user_id"])
        for row in copy_out(Participation._meta.db_table)
        if int(row["contest_id"]) == poll.pk
    ]
    ballot_order = [
        row["id"] for row in copy_out(Ballot._meta.db_table) if int(row["poll_id"]) == poll.pk
    ]
    answers = {}
    for row in copy_out(Answer._meta.db_table):
        answers.setdefault(row["ballot_id"], {})[int(row["option_id"])] = int(row["rank"])
    assert len(participations) == len(ballot_order) == len(chosen_by_user)
    return sum(
        answers[ballot] == chosen_by_user[user]
        for user, ballot in zip(participations, ballot_order, strict=True)
    )


def xmin_links(*tables):
    """Rows of `tables` written by the same transaction as some participation."""
    with connection.cursor() as cursor:
        total = 0
        for table in tables:
            cursor.execute(
                f'SELECT count(*) FROM voting_participation p JOIN "{table}" t '  # noqa: S608
                "ON p.xmin = t.xmin"
            )
            total += cursor.fetchone()[0]
    return total


def close_and_open(client, poll):
    """After the close, the first visitor who asks for the results has the box opened."""
    client.cookies["django_language"] = "en"
    with time_machine.travel(poll.closes_at + datetime.timedelta(minutes=5)):
        html = client.get(poll.url, **HOST).content.decode()
    assert "Results for" in html
    return html


def voters_for(city, count):
    people = []
    for _ in range(count):
        user = UserFactory(language="en")
        verify(user, city)
        people.append(user)
    return people


def test_thirty_sequential_voters_cannot_be_linked_by_xmin_or_row_order(city, ranking_poll):
    poll = ranking_poll
    people = voters_for(city, 30)
    chosen = dict(zip((p.pk for p in people), rankings(poll, 30), strict=True))
    client = Client()
    receipts = []
    for person in people:
        client.force_login(person)
        receipts.append(vote(client, poll, chosen[person.pk]))

    # During the vote: envelopes were mixed in batches (30 = 3 × BALLOT_MIX_BATCH), so no
    # envelope shares a transaction with a participation, and none is readable.
    assert SealedEnvelope.objects.filter(mixed=False).count() == 0
    assert xmin_links(SealedEnvelope._meta.db_table) == 0
    assert len({len(bytes(e.sealed)) for e in SealedEnvelope.objects.all()}) == 1

    close_and_open(Client(), poll)
    assert Ballot.objects.filter(poll=poll).count() == 30
    assert SealedEnvelope.objects.count() == 0  # destroyed at the opening
    # xmin: every ballot and answer was written by the opening, none with a participation.
    assert xmin_links(Ballot._meta.db_table, Answer._meta.db_table) == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT xmin::text) FROM voting_ballot")
        assert cursor.fetchone()[0] == 1
    # Row order: no better than chance.
    assert link_by_order(poll, chosen) <= CHANCE_BOUND
    # The receipts are all counted, listed apart from the ballots.
    assert CountedReceipt.objects.count() == 30
    assert all(secrecy.check_receipt(poll, r).counted for r in receipts)


def test_a_hundred_concurrent_voters_cannot_be_linked(city, ranking_poll):
    poll = ranking_poll
    people = voters_for(city, 100)
    chosen = dict(zip((p.pk for p in people), rankings(poll, 100), strict=True))
    groups = [people[i::20] for i in range(20)]  # 20 connections, 5 voters each
    barrier = threading.Barrier(len(groups))
    failures = []

    def worker(group):
        try:
            client = Client()
            barrier.wait(timeout=60)
            for person in group:
                client.force_login(person)
                vote(client, poll, chosen[person.pk])
        except Exception as error:  # reported below, in the test's thread
            failures.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(g,)) for g in groups]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert failures == []
    assert Participation.objects.filter(contest=poll).count() == 100

    close_and_open(Client(), poll)
    assert Ballot.objects.filter(poll=poll).count() == 100
    assert xmin_links(Ballot._meta.db_table, Answer._meta.db_table) == 0
    assert link_by_order(poll, chosen) <= CHANCE_BOUND


def test_control_the_same_attacks_link_everyone_when_ballots_are_written_with_voters(
    city, ranking_poll
):
    """The attacks above are not toothless: on the write pattern before the ballot box
    (participation and ballot in one transaction, in voting order) they link every voter."""
    poll = ranking_poll
    people = voters_for(city, 30)
    chosen = dict(zip((p.pk for p in people), rankings(poll, 30), strict=True))
    question = poll.question_list[0]
    for person in people:
        with transaction.atomic():
            Participation.objects.create(contest=poll, user=person)
            ballot = Ballot.objects.create(poll=poll)
            Answer.objects.bulk_create(
                Answer(ballot=ballot, question=question, option_id=option, rank=rank)
                for option, rank in chosen[person.pk].items()
            )
    assert xmin_links(Ballot._meta.db_table) == 30
    assert link_by_order(poll, chosen) == 30
