"""`seed_scale` fills a municipality in bulk and leaves it as the site's own code would."""

import io
import json
import re

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count
from wagtail.models import Page

from budgeting import ballots
from budgeting.models import (
    BudgetBallot,
    BudgetChoice,
    BudgetPage,
    BudgetProjectPage,
    BudgetResult,
    BudgetSupport,
)
from cms.models import User
from participation.models import (
    Comment,
    DebateIndexPage,
    DebatePage,
    ProposalIndexPage,
    ProposalPage,
    Support,
)
from voting import eligibility
from voting.models import (
    Answer,
    Ballot,
    BallotBox,
    CountedReceipt,
    Participation,
    PollIndexPage,
    PollPage,
    SealedEnvelope,
)

SMALL = [
    "--users", "120", "--proposals", "30", "--supports", "900", "--hot-supports", "100",
    "--comments", "700", "--hot-comments", "80", "--debates", "4",
    "--big-debate-comments", "150", "--poll-ballots", "90",
    "--budget-projects", "20", "--budget-ballots", "150",
]  # fmt: skip
HOST = {"HTTP_HOST": "changwon.test"}


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
    with pytest.raises(CommandError, match="budget_projects"):
        call_command(
            "seed_scale", "--site", "changwon.test", *SMALL, "--budget-projects", "3",
            stdout=io.StringIO(),
        )  # fmt: skip
    with pytest.raises(CommandError, match="budget_ballots"):
        call_command(
            "seed_scale", "--site", "changwon.test", *SMALL, "--budget-ballots", "400",
            stdout=io.StringIO(),
        )  # fmt: skip
    assert not BudgetPage.objects.exists()
    with pytest.raises(CommandError, match="No site"):
        call_command("seed_scale", "--site", "nowhere.test", stdout=io.StringIO())


def test_the_finished_budget_is_counted_and_its_result_published(indexes, client):
    made = seed()
    finished = BudgetPage.objects.get(pk=made["budget"]["finished"])
    balloting = BudgetPage.objects.get(pk=made["budget"]["balloting"])
    site = finished.get_site()

    for budget in (finished, balloting):
        projects = BudgetProjectPage.objects.child_of(budget)
        assert projects.count() == 20
        assert Page.objects.get(pk=budget.pk).numchild == 20
        assert {p.support_count for p in projects} == {0}
        assert not BudgetSupport.objects.filter(budget=budget).exists()
    assert finished.current_kind() == "finished"
    assert balloting.is_balloting()

    # The box is opened as secrecy.open_contest leaves it: private key gone, one counted
    # receipt per envelope, the turnout the budget's opening returned.
    box = BallotBox.objects.get(contest_id=finished.pk)
    assert box.opened_on is not None and not bytes(box.wrapped_private_key)
    assert box.opened_envelopes == 150 == CountedReceipt.objects.filter(box=box).count()
    assert BudgetBallot.objects.filter(heading__page=finished).count() == 150
    assert not BallotBox.objects.filter(contest_id=balloting.pk).exists()

    response = client.get(finished.relative_url(site) + "results/", **HOST)
    assert response.status_code == 200
    html = response.content.decode()
    for heading in finished.headings.all():
        heading_ballots = BudgetBallot.objects.filter(heading=heading)
        n = heading_ballots.count()
        assert n == {"": 60}.get(heading.district, 30)
        assert set(heading_ballots.values_list("channel", "voter_id").distinct()) == {
            ("online", "")
        }
        voters = Participation.objects.filter(contest_id=finished.pk, scope=str(heading.pk))
        assert voters.count() == n == box.results["turnout"][str(heading.pk)]

        # Every ballot passes the ballot's own checks: projects on this heading's ballot
        # (none found unfeasible), within its amount; every voter old enough to vote.
        on_ballot = ballots.ballot_projects(heading)
        for ballot in heading_ballots.prefetch_related("choices"):
            chosen = sorted(ballot.choices.all(), key=lambda c: c.position)
            checked = ballots.validate(finished, heading, [(c.project_id, None) for c in chosen])
            assert checked.total_cost <= heading.amount
            assert [p.pk for p, _ in checked.projects] == [
                p.pk for p in on_ballot if p.pk in {c.project_id for c in chosen}
            ]
        rule = ballots.rule_for(finished, heading)
        for participation in voters.select_related("user"):
            decision = eligibility.check(
                participation.user, site, rule=rule, today=participation.voted_on
            )
            assert decision.allowed, decision.reasons

        # The published result is the real count of these rows, and the page shows it.
        result = BudgetResult.objects.published().get(heading=heading)
        assert result.ballots_counted == n
        approvals = dict(
            BudgetChoice.objects.filter(ballot__heading=heading)
            .values("project")
            .annotate(n=Count("pk"))
            .values_list("project", "n")
        )
        projects = BudgetProjectPage.objects.filter(heading=heading)
        assert {int(pk): score for pk, score in result.scores.items()} == {
            p.pk: approvals.get(p.pk, 0) for p in projects
        }
        assert result.selected and result.spent <= heading.amount
        assert f"<td>{n}</td>" in html  # the turnout table's total
        top = max(projects, key=lambda p: approvals.get(p.pk, 0))
        assert re.search(rf"{re.escape(top.title)}</a></th>\s*<td>{approvals[top.pk]}</td>", html)

    funded = BudgetProjectPage.objects.get(pk=result.selected[0])
    response = client.get(funded.relative_url(site), **HOST)
    assert response.status_code == 200
    assert funded.title in response.content.decode()
    response = client.get(finished.relative_url(site), **HOST)
    assert response.status_code == 200


def test_a_citizen_casts_a_ballot_in_the_budget_in_balloting(indexes, client):
    made = seed()
    budget = BudgetPage.objects.get(pk=made["budget"]["balloting"])
    heading = budget.headings.order_by("sort_order").first()
    on_ballot = ballots.ballot_projects(heading)
    url = budget.relative_url(budget.get_site()) + budget.reverse_subpage(
        "ballot", args=[heading.pk]
    )

    response = client.get(url, **HOST)  # as an anonymous reader sees it: log in to vote
    assert response.status_code == 200
    assert heading.name in response.content.decode()

    citizen = User.objects.filter(email__endswith="@scale.example.kr").order_by("pk").last()
    assert client.login(email=citizen.email, password="scale-pass-2026")
    response = client.get(url, **HOST)
    assert all(p.title in response.content.decode() for p in on_ballot)
    cheapest = sorted(on_ballot, key=lambda p: p.cost)[:2]
    form = {"action": "vote", "project": [str(p.pk) for p in cheapest]}
    response = client.post(url, form, **HOST)
    assert response.status_code == 200
    assert re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", response.content.decode())
    assert Participation.objects.filter(contest_id=budget.pk, user=citizen).count() == 1
    assert SealedEnvelope.objects.filter(box__contest_id=budget.pk).count() == 1

    response = client.post(url, form, **HOST)  # a second ballot in the same heading
    assert response.status_code == 403
    assert Participation.objects.filter(contest_id=budget.pk).count() == 1
    assert SealedEnvelope.objects.filter(box__contest_id=budget.pk).count() == 1
