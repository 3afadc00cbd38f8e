"""Budget supports under real parallel connections on PostgreSQL: counts stay exact and
the per-citizen limit holds when one person sends many supports at once."""

import pytest
from django.db import connection
from django.test import Client

from budgeting.models import BudgetProjectPage, BudgetSupport
from tests.budgeting.process import make_budget, make_project, url
from tests.factories import UserFactory, make_municipality
from tests.participation.factories import ensure_page_tree
from tests.participation.test_concurrency import _in_parallel
from tests.voting.factories import verify

pytestmark = pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite serialises writers; run with DATABASE_URL=postgres://... (CI does)",
)
HOST = "budget-concurrency.test"


def _site():
    ensure_page_tree()
    return make_municipality(HOST, "경상남도", kind="province", default=True)


def _support(budget, project, user):
    def job():
        client = Client()
        client.force_login(user)
        return client.post(
            url(budget, "support_project", project_id=project.pk),
            {"action": "support"},
            HTTP_HOST=HOST,
        ).status_code

    return job


@pytest.mark.django_db(transaction=True)
def test_many_citizens_support_at_once_and_double_clicks_count_once():
    site = _site()
    budget = make_budget(site, phase="selecting")
    project = make_project(budget, feasibility="feasible")
    people = [UserFactory() for _ in range(60)]
    for person in people:
        verify(person, site)
    jobs = [_support(budget, project, people[0]) for _ in range(5)]
    jobs += [_support(budget, project, person) for person in people]

    statuses = _in_parallel(jobs, 30)

    assert statuses == [302] * len(jobs)
    project.refresh_from_db()
    assert project.support_count == 60 == BudgetSupport.objects.filter(project=project).count()


@pytest.mark.django_db(transaction=True)
def test_one_citizen_supporting_many_projects_at_once_stays_within_the_limit():
    site = _site()
    budget = make_budget(site, phase="selecting", supports_per_citizen=3)
    projects = [make_project(budget, f"사업 {n}", feasibility="feasible") for n in range(10)]
    person = UserFactory()
    verify(person, site)

    statuses = _in_parallel([_support(budget, project, person) for project in projects])

    assert sorted(statuses) == [302] * 3 + [403] * 7
    assert BudgetSupport.objects.filter(user=person).count() == 3
    counts = list(BudgetProjectPage.objects.values_list("support_count", flat=True))
    assert sorted(counts) == [0] * 7 + [1] * 3
