"""The one gate for what anyone may see of a budget's votes.

Nothing about the votes (scores, counts, turnout, ballots, exports) is visible before staff
publish the heading's result. Every public view, export, live block and command asks here,
so nothing shown nowhere else leaks through an export (Decidim #12348).
"""

from budgeting.models import BudgetResult


def published_result(heading):
    """The heading's published result, or None: only then may its votes be shown."""
    return BudgetResult.objects.published().filter(heading=heading).first()


def published_results(headings):
    """{heading id: published result} for several headings, in one query."""
    rows = BudgetResult.objects.published().filter(heading__in=list(headings))
    return {r.heading_id: r for r in rows}


def votes_visible(budget):
    """Whether any of the budget's votes may be shown (a heading's result is published)."""
    return BudgetResult.objects.published().filter(heading__page=budget).exists()


def heading_votes_visible(heading):
    return published_result(heading) is not None


def exportable(heading):
    """Whether the heading's ballots may leave the site (pabulib, CSV): once its result is
    published, or for a budget with no online ballots (imported elections, whose ballots
    came from a public file and which have no ballot box)."""
    from voting.models import BallotBox

    if heading_votes_visible(heading):
        return True
    return not BallotBox.objects.filter(contest_id=heading.page_id).exists() and not (
        heading.ballots.exclude(channel="imported").exists()
    )
