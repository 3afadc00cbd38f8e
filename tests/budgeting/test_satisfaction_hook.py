"""The hook the budgets app calls when a result is published: its voters are invited once."""

import pytest
from django.core import mail

from budgeting.models import BudgetPage
from participation.models import SatisfactionInvitation
from participation.satisfaction import invite_after_budget_result
from tests.budgeting.test_ballots import SMALL
from tests.factories import UserFactory
from voting.models import Participation

pytestmark = pytest.mark.django_db


def test_budget_voters_are_invited_once(import_text, run_jobs):
    budget = BudgetPage.objects.get(pk=import_text(SMALL))
    voters = [UserFactory() for _ in range(2)]
    for voter in voters:
        Participation.objects.create(contest=budget, scope="1", user=voter)
    Participation.objects.create(contest=budget, scope="2", user=voters[0])  # two headings
    bystander = UserFactory()
    mail.outbox.clear()
    with run_jobs():
        invite_after_budget_result(budget)
        invite_after_budget_result(budget)
    rate_url = f"/satisfaction/rate/{budget.pk}/"
    for voter in voters:
        assert len([m for m in mail.outbox if voter.email in m.to and rate_url in m.body]) == 1
    assert not any(bystander.email in m.to for m in mail.outbox)
    assert SatisfactionInvitation.objects.filter(subject=budget).count() == 2
