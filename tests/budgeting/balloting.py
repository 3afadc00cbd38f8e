"""Builders for budgets in balloting, their projects and verified voters."""

import datetime

from django.utils import timezone

from budgeting.models import BudgetHeading, BudgetPage, BudgetPhase, BudgetProjectPage

HOST = {"HTTP_HOST": "changwon.test"}
RECEIPT_RE = r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}"


def make_budget(
    site, *, kind="knapsack", amount=100, costs=(40, 30, 50, 20), headings=None, **fields
):
    """A live budget in its balloting phase (ending in a week) with one heading and projects."""
    now = timezone.now()
    budget = BudgetPage(
        title="2027 주민참여예산",
        slug=f"budget-{BudgetPage.objects.count() + 1}",
        ballot_kind=kind,
        **fields,
    )
    budget.phases = [
        BudgetPhase(
            kind="balloting",
            start=now - datetime.timedelta(days=1),
            end=now + datetime.timedelta(days=7),
        )
    ]
    budget.headings = [
        BudgetHeading(name=name, amount=heading_amount, district=district, sort_order=i)
        for i, (name, heading_amount, district) in enumerate(headings or [("시 전체", amount, "")])
    ]
    site.root_page.add_child(instance=budget)
    budget.save_revision().publish()
    budget = BudgetPage.objects.get(pk=budget.pk)
    for heading in budget.headings.all():
        for i, cost in enumerate(costs):
            project = BudgetProjectPage(
                title=f"{heading.name} 사업 {chr(65 + i)}",
                slug=f"h{heading.pk}-p{i}",
                cost=cost,
                heading=heading,
                file_order=i,
            )
            budget.add_child(instance=project)
            project.save_revision().publish()
    return budget


def projects_of(budget, heading=None):
    heading = heading or budget.headings.order_by("sort_order").first()
    return list(BudgetProjectPage.objects.filter(heading=heading).order_by("file_order"))


def ballot_url(budget, heading=None):
    heading = heading or budget.headings.order_by("sort_order").first()
    return budget.url + budget.reverse_subpage("ballot", args=[heading.pk])


def close_balloting(budget):
    """Move the balloting phase into the past (the box may then be opened)."""
    now = timezone.now()
    budget.phases.filter(kind="balloting").update(
        start=now - datetime.timedelta(days=8), end=now - datetime.timedelta(minutes=1)
    )
    return BudgetPage.objects.get(pk=budget.pk)
