"""What the public may read of a municipality, for the API and the open data bundle.

Each function only scopes a model's own gate (the QuerySet method the pages use) to the
municipality and, for a province, its cities and counties. No rule about what is public is
written here: ``ProposalPage.objects.visible()``, ``DebatePage.objects.visible()``,
``Comment.objects.public()``, ``ProposalEvent.objects.public()``,
``PollPage.objects.visible()`` with ``PollPage.results_visible()``,
``BudgetPage.objects.visible()`` and ``BudgetResult.objects.published()`` decide.
"""

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce

from budgeting.models import BudgetHeading, BudgetPage, BudgetPhase, BudgetProjectPage, BudgetResult
from cms.scope import pages_within
from participation.models import (
    Comment,
    DebatePage,
    ImplementationUpdate,
    Position,
    ProposalEvent,
    ProposalPage,
)
from voting.models import PollOption, PollPage, PollQuestion
from voting.permissions import can_see_results


def proposals(sites):
    return (
        ProposalPage.objects.visible()
        .filter(pages_within(sites))
        .select_related("topic", "area", "author")
    )


def proposal_details(queryset):
    """Implementation updates and the public timeline, two queries for any number of rows."""
    return queryset.prefetch_related(
        Prefetch(
            "implementation_updates",
            queryset=ImplementationUpdate.objects.order_by("-date", "-pk"),
            to_attr="public_updates",
        ),
        Prefetch(
            "events",
            queryset=ProposalEvent.objects.public().order_by("created_at", "pk"),
            to_attr="public_events",
        ),
    )


def _position_count(position):
    shown = (
        Comment.objects.public()
        .filter(page_id=OuterRef("pk"), depth=0, position=position)
        .order_by()
        .values("page_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(shown), 0)


def debates(sites):
    """Debates with the balance of positions of their shown top-level comments (as
    ``participation.models.comments.position_balance`` counts it), in the same query."""
    return (
        DebatePage.objects.visible()
        .filter(pages_within(sites))
        .select_related("author")
        .annotate(**{f"positions_{p.value}": _position_count(p.value) for p in Position})
    )


def comments(sites):
    return (
        Comment.objects.public()
        .filter(pages_within(sites, lookup="page__path"))
        .select_related("author")
    )


def polls(sites):
    questions = PollQuestion.objects.order_by("sort_order").prefetch_related(
        Prefetch("options", queryset=PollOption.objects.order_by("sort_order"))
    )
    return (
        PollPage.objects.visible()
        .filter(pages_within(sites))
        .prefetch_related(Prefetch("questions", queryset=questions, to_attr="public_questions"))
    )


def budgets(sites):
    results = BudgetResult.objects.published()
    headings = BudgetHeading.objects.order_by("sort_order", "pk").prefetch_related(
        Prefetch("results", queryset=results, to_attr="published_results")
    )
    return (
        BudgetPage.objects.visible()
        .filter(pages_within(sites))
        .prefetch_related(
            Prefetch("headings", queryset=headings, to_attr="public_headings"),
            Prefetch(
                "phases", queryset=BudgetPhase.objects.order_by("start"), to_attr="public_phases"
            ),
        )
    )


def budget_projects(sites):
    return (
        BudgetProjectPage.objects.visible()
        .filter(pages_within(sites))
        .filter(heading__page__in=BudgetPage.objects.visible().values("pk"))
        .select_related("heading")
    )


def published_results(sites):
    """{heading id: its published result} for the headings of these sites' budgets."""
    headings = BudgetHeading.objects.filter(
        page__in=BudgetPage.objects.visible().filter(pages_within(sites)).values("pk")
    )
    return {
        result.heading_id: result
        for result in BudgetResult.objects.published().filter(heading__in=headings)
    }


def poll_results_shown(poll):
    """The poll page's own rule (``voting.permissions.can_see_results``): results once due."""
    return can_see_results(AnonymousUser(), poll)
