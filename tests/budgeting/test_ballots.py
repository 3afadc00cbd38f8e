"""One ballot per voter per heading, held by the database, also under concurrent writes."""

import threading

import pytest
from django.db import IntegrityError, connection, transaction

from budgeting.models import BudgetBallot, BudgetHeading

SMALL = """META
key;value
budget;100
vote_type;approval
PROJECTS
project_id;cost;name
a;60;Park
b;40;Library
VOTES
voter_id;vote;age;sex;neighborhood
7;a,b;34;F;North
"""


@pytest.mark.django_db
def test_a_voter_cannot_get_a_second_ballot_for_a_heading(import_text):
    import_text(SMALL)
    heading = BudgetHeading.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetBallot.objects.create(heading=heading, channel="paper", voter_id="7")
    # Online ballots (opened envelopes) carry no voter id and are not limited by it.
    BudgetBallot.objects.create(heading=heading, channel="online")
    BudgetBallot.objects.create(heading=heading, channel="online")
    assert BudgetBallot.objects.filter(heading=heading).count() == 3
    kept = BudgetBallot.objects.get(voter_id="7")
    assert (kept.age, kept.sex, kept.neighbourhood) == (34, "F", "North")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrency is checked on PostgreSQL"
)
def test_concurrent_ballots_for_one_voter_leave_one(import_text):
    import_text(SMALL)
    heading = BudgetHeading.objects.get()
    threads_count = 12
    barrier = threading.Barrier(threads_count)
    outcomes = []

    def write(voter_id):
        try:
            barrier.wait(timeout=30)
            with transaction.atomic():
                BudgetBallot.objects.create(heading=heading, channel="paper", voter_id=voter_id)
            outcomes.append("written")
        except IntegrityError:
            outcomes.append("refused")
        finally:
            connection.close()

    # Eight threads for voter 99, four for four other voters, all at once.
    voters = ["99"] * 8 + ["100", "101", "102", "103"]
    threads = [threading.Thread(target=write, args=(v,)) for v in voters]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert BudgetBallot.objects.filter(heading=heading, voter_id="99").count() == 1
    assert BudgetBallot.objects.filter(heading=heading).count() == 1 + 1 + 4
    assert outcomes.count("written") == 5
    assert outcomes.count("refused") == 7
