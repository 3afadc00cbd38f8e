"""`seed_scale` fills a municipality in bulk and leaves it as the site's own code would."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from wagtail.models import Page

from cms.models import User
from participation.models import (
    Comment,
    DebateIndexPage,
    DebatePage,
    ProposalIndexPage,
    ProposalPage,
    Support,
)
from voting.models import Answer, Ballot, Participation, PollIndexPage, PollPage

SMALL = [
    "--users", "120", "--proposals", "30", "--supports", "900", "--hot-supports", "100",
    "--comments", "700", "--hot-comments", "80", "--debates", "4",
    "--big-debate-comments", "150", "--poll-ballots", "90",
]  # fmt: skip


@pytest.fixture
def indexes(city):
    home = city.root_page
    made = {}
    for model, slug in (
        (ProposalIndexPage, "proposals"),
        (DebateIndexPage, "debates"),
        (PollIndexPage, "polls"),
    ):
        made[slug] = home.add_child(instance=model(title=slug, slug=slug))
    return made


def seed(*extra):
    out = io.StringIO()
    call_command("seed_scale", "--site", "changwon.test", *SMALL, *extra, "--json", stdout=out)
    return json.loads(out.getvalue().strip().splitlines()[-1])


def test_counters_equal_rows_and_the_tree_is_valid(indexes):
    made = seed()

    assert all(not problems for problems in Page.find_problems())
    proposals = ProposalPage.objects.child_of(indexes["proposals"])
    assert proposals.count() == 30
    assert Page.objects.get(pk=indexes["proposals"].pk).numchild == 30
    assert Support.objects.filter(proposal__in=proposals).count() == 900
    rows = dict(
        Support.objects.values_list("proposal").annotate(n=Count("pk")).values_list("proposal", "n")
    )
    assert {p.pk: p.support_count for p in proposals} == {
        p.pk: rows.get(p.pk, 0) for p in proposals
    }
    assert ProposalPage.objects.get(pk=made["hot_proposal"]).support_count == 100

    assert Comment.objects.count() == 700
    assert Comment.recount() == 0  # every reply and thread counter already equals its rows
    for debate in DebatePage.objects.child_of(indexes["debates"]):
        assert debate.comment_count == Comment.objects.filter(page=debate).count()
    assert DebatePage.objects.get(pk=made["big_debate"]).comment_count == 150

    assert Participation.objects.filter(contest_id=made["closed_poll"]).count() == 90
    assert Ballot.objects.filter(poll_id=made["closed_poll"]).count() == 90
    assert Answer.objects.filter(ballot__poll_id=made["closed_poll"]).count() >= 180
    assert User.objects.filter(email__endswith="@scale.example.kr").count() == 120


def test_pages_have_live_revisions_and_the_tree_still_grows(indexes, citizen):
    seed()
    proposal = ProposalPage.objects.child_of(indexes["proposals"]).last()
    assert proposal.live_revision_id == proposal.latest_revision_id
    assert proposal.get_latest_revision_as_object().title == proposal.title

    # Wagtail's own add_child goes on after the bulk-written siblings.
    index = ProposalIndexPage.objects.get(pk=indexes["proposals"].pk)
    new = index.add_child(
        instance=ProposalPage(title="새 제안", slug="new", summary="요약", body="<p>본문</p>")
    )
    assert new.path > proposal.path
    assert all(not problems for problems in Page.find_problems())


def test_seeded_pages_render_and_citizens_can_take_part(indexes, client):
    made = seed()
    host = {"HTTP_HOST": "changwon.test"}
    hot = ProposalPage.objects.get(pk=made["hot_proposal"])
    debate = DebatePage.objects.get(pk=made["big_debate"])
    closed = PollPage.objects.get(pk=made["closed_poll"])

    for page, text in ((hot, hot.title), (debate, debate.title), (closed, closed.title)):
        response = client.get(page.relative_url(closed.get_site()), **host)
        assert response.status_code == 200
        assert text in response.content.decode()
    response = client.get("/proposals/?page=2", **host)
    assert response.status_code == 200

    citizen = User.objects.filter(email__endswith="@scale.example.kr").last()
    assert client.login(email=citizen.email, password="scale-pass-2026")
    assert Support.give(hot, citizen) in (True, False)
    hot.refresh_from_db()
    assert hot.support_count == Support.objects.filter(proposal=hot).count()


def test_impossible_sizes_are_refused_and_nothing_is_written(indexes):
    with pytest.raises(CommandError, match="hot_supports"):
        call_command(
            "seed_scale", "--site", "changwon.test", "--users", "10", "--hot-supports", "50",
            stdout=io.StringIO(),
        )  # fmt: skip
    assert not User.objects.filter(email__endswith="@scale.example.kr").exists()
    with pytest.raises(CommandError, match="No site"):
        call_command("seed_scale", "--site", "nowhere.test", stdout=io.StringIO())
