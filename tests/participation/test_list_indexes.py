"""The lists' queries are served by indexes that match their filter and sort (PostgreSQL plans).

The planner is told to avoid sequential scans and sorts, so a plan still holding a Sort node
or naming no index of ours means no index fits the query: at a city's size that query would
read and sort every proposal (bench/RESULTS.md).
"""

import io

import pytest
from django.core.management import call_command
from django.db import connection

from participation.models import DebateIndexPage, ProposalIndexPage, ProposalPage
from participation.views import SORT_ORDER
from voting.models import PollIndexPage

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="query plans are PostgreSQL's; CI runs this file on PostgreSQL",
)


def plan(queryset):
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.fixture
def seeded_city(city):
    home = city.root_page
    for model, slug in (
        (ProposalIndexPage, "proposals"),
        (DebateIndexPage, "debates"),
        (PollIndexPage, "polls"),
    ):
        home.add_child(instance=model(title=slug, slug=slug, show_in_menus=True))
    call_command(
        "seed_scale", "--site", "changwon.test", "--users", "50", "--proposals", "400",
        "--supports", "200", "--hot-supports", "20", "--comments", "100", "--hot-comments", "10",
        "--debates", "2", "--big-debate-comments", "20", "--poll-ballots", "10",
        "--budget-projects", "0", "--budget-ballots", "0", "--no-search-index",
        stdout=io.StringIO(),
    )  # fmt: skip
    return city


@pytest.mark.django_db
@pytest.mark.parametrize(
    "sort, index", [("newest", "proposal_newest"), ("supported", "proposal_supported")]
)
def test_proposal_index_sorts_read_an_index_in_order(seeded_city, sort, index):
    proposals_index = ProposalIndexPage.objects.get(url_path__endswith="/proposals/")
    listed = ProposalPage.objects.visible().child_of(proposals_index).for_list()
    text = plan(listed.order_by(*SORT_ORDER[sort])[:20])
    assert index in text
    assert "Sort" not in text.split(index)[0]  # no sort above the index scan


@pytest.mark.django_db
def test_proposal_search_reads_the_full_text_index(seeded_city):
    """Search matches Wagtail's search entries' tsvectors (GIN-indexed), not a LIKE scan.

    At this test's size the planner starts from the proposals' sort index instead of the GIN
    indexes (bench/RESULTS.md shows the plan at city size), so the plan is checked for the
    full-text match and the absence of LIKE."""
    proposals_index = ProposalIndexPage.objects.get(url_path__endswith="/proposals/")
    listed = ProposalPage.objects.visible().child_of(proposals_index).for_list()
    text = plan(listed.matching("교통 안전").order_by(*SORT_ORDER["newest"])[:20])
    assert "@@" in text and "wagtailsearch_indexentry" in text
    # LIKE (~~) appears only for the page tree's path prefix (child_of), never on the text.
    likes = [line for line in text.splitlines() if "~~" in line]
    assert all("path" in line for line in likes), likes
    assert not any("title" in line or "summary" in line for line in likes), likes
