"""Budget ballots under concurrent requests on PostgreSQL: one citizen sending two ballots
at once keeps one; 100 citizens voting at once are all counted; no knapsack ballot ever
exceeds the heading's amount."""

import pytest
from django.db import connection

from budgeting.models import BudgetBallot, BudgetChoice
from tests.factories import UserFactory
from tests.voting.factories import ensure_tree, verify
from tests.voting.test_concurrency import run_in_threads
from voting import secrecy
from voting.models import Participation

from .balloting import HOST, ballot_url, close_balloting, make_budget, projects_of

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrency is checked on PostgreSQL"
    ),
]


@pytest.fixture
def tree(db):
    ensure_tree()


def vote_job(user, budget, projects):
    def job(client):
        client.force_login(user)
        response = client.post(
            ballot_url(budget), {"action": "vote", "project": [p.pk for p in projects]}, **HOST
        )
        return response.status_code

    return job


def test_one_citizen_two_ballots_at_once_keeps_one(tree, city):
    budget = make_budget(city, kind="knapsack", amount=100, costs=(40, 30, 50, 20))
    a, b, c, d = projects_of(budget)
    user = UserFactory()
    verify(user, city)
    statuses = run_in_threads([vote_job(user, budget, [a, b]), vote_job(user, budget, [c, d])] * 2)
    assert sorted(statuses) == [200, 403, 403, 403]
    assert Participation.objects.filter(contest_id=budget.pk, user=user).count() == 1


def test_a_hundred_citizens_at_once_are_all_counted_within_the_amount(tree, city):
    budget = make_budget(city, kind="knapsack", amount=100, costs=(40, 30, 50, 20))
    a, b, c, d = projects_of(budget)
    choices = [[a, b, d], [c, d], [a, c], [b, c, d], [a, b, c]]  # the last is over the amount
    users = []
    for _i in range(100):
        user = UserFactory()
        verify(user, city)
        users.append(user)
    jobs = [vote_job(user, budget, choices[i % 5]) for i, user in enumerate(users)]
    statuses = run_in_threads(jobs)
    assert statuses.count(200) == 80 and statuses.count(400) == 20
    assert Participation.objects.filter(contest_id=budget.pk).count() == 80
    closed = close_balloting(budget)
    secrecy.opened_box(closed)
    assert BudgetBallot.objects.filter(heading__page=closed, channel="online").count() == 80
    costs = {p.pk: p.cost for p in (a, b, c, d)}
    totals = {}
    for ballot_id, project_id in BudgetChoice.objects.values_list("ballot_id", "project_id"):
        totals[ballot_id] = totals.get(ballot_id, 0) + costs[project_id]
    assert len(totals) == 80 and max(totals.values()) <= 100
