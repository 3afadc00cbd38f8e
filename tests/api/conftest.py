"""A province and its city with something of every kind, public and not.

Every object the public must not see carries "SECRET" in its text, so a test can search
every API response and every CSV for the word; the people's emails are searched the same way.
"""

import datetime
import io
from dataclasses import dataclass, field

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

from budgeting.models import BudgetPage, BudgetProjectPage, BudgetResult
from participation.models import Comment, DebateIndexPage, DebatePage, ProposalPage
from tests.factories import UserFactory
from tests.participation.factories import setup_municipality
from tests.voting.factories import make_poll

PROVINCE = "gyeongnam.test"
CITY = "changwon.test"

BUDGET = """META
key;value
budget;30
vote_type;approval
rule;greedy
currency;KRW
PROJECTS
project_id;cost;name
A;20;{name} park
B;15;{name} library
C;10;{name} benches
VOTES
voter_id;vote
1;A,C
2;A,C
3;B,C
"""


@dataclass
class World:
    province: object
    city: object
    people: list
    public: dict = field(default_factory=dict)  # kind -> [objects the public sees]
    secret: dict = field(default_factory=dict)  # kind -> [objects it must not see]


@pytest.fixture(autouse=True)
def _forget_cached_site_paths():
    yield
    cache.clear()


def _proposal(town, title, *, stage="collecting", live=True, hidden=False, author=None, **extra):
    now = timezone.now()
    proposal = ProposalPage(
        title=title,
        slug=f"p-{ProposalPage.objects.count() + 1}",
        summary=f"{title} summary",
        body=f"<p>{title} body</p>",
        topic=town.topic,
        author=author,
        stage=stage,
        hidden=hidden,
        live=live,
        published_at=now if live else None,
        support_deadline=now + datetime.timedelta(days=20),
        support_threshold=3,
        **extra,
    )
    town.index.add_child(instance=proposal)
    return proposal


def _debate_index(site):
    index = DebateIndexPage(title="토론", slug="debates")
    site.root_page.add_child(instance=index)
    index.save_revision().publish()
    return index


def _debate(index, title, *, hidden=False, live=True, author=None):
    debate = DebatePage(
        title=title,
        slug=f"d-{DebatePage.objects.count() + 1}",
        summary=title,
        author=author,
        live=live,
    )
    index.add_child(instance=debate)
    if live:
        debate.save_revision().publish()
    if hidden:
        debate.set_state(hidden=True)
    return DebatePage.objects.get(pk=debate.pk)


def _budget(site, name, folder):
    out = io.StringIO()
    path = folder / f"{name}.pb"
    path.write_text(BUDGET.format(name=name), encoding="utf-8")
    call_command("import_pabulib", str(path), "--site", site.hostname, stdout=out)
    return BudgetPage.objects.get(pk=int(out.getvalue().strip().splitlines()[-1]))


def _result(budget, *, published, scores_marker):
    heading = budget.headings.get()
    projects = {p.pabulib_id: p.pk for p in BudgetProjectPage.objects.child_of(budget)}
    return BudgetResult.objects.create(
        heading=heading,
        rule="greedy",
        status=BudgetResult.Status.DONE,
        selected=[projects["A"], projects["C"]],
        scores={str(pk): scores_marker for pk in projects.values()},
        spent=30,
        ballots_counted=3,
        computed_at=timezone.now(),
        published_at=timezone.now() if published else None,
    )


@pytest.fixture
def world(province, city, tmp_path):
    town = setup_municipality(province)
    city_town = setup_municipality(city)
    people = [
        UserFactory(display_name="김민지", email="minji.private@example.org"),
        UserFactory(display_name="이서준", email="seojun.private@example.org"),
    ]
    minji, seojun = people
    w = World(province, city, people)
    w.town, w.city_town = town, city_town

    w.public["proposals"] = [
        _proposal(town, "Province shade proposal", author=minji),
        _proposal(city_town, "City bus proposal", author=seojun),
        _proposal(
            city_town,
            "City adopted proposal",
            stage="adopted",
            author=minji,
            answer="Committee says yes",
        ),
    ]
    w.secret["proposals"] = [
        _proposal(town, "SECRET draft proposal", stage="draft", live=False, author=minji),
        _proposal(town, "SECRET hidden proposal", hidden=True, author=minji),
        _proposal(
            city_town, "SECRET withdrawn proposal", stage="withdrawn", live=False, author=seojun
        ),
        _proposal(city_town, "SECRET rejected proposal", stage="rejected", live=False),
    ]
    adopted = w.public["proposals"][2]
    adopted.record("answered", note="Public answer step")
    adopted.record("hidden", note="SECRET internal step", public=False)

    debates = _debate_index(province)
    city_debates = _debate_index(city)
    w.public["debates"] = [
        _debate(debates, "Province debate", author=seojun),
        _debate(city_debates, "City debate", author=minji),
    ]
    w.secret["debates"] = [
        _debate(debates, "SECRET hidden debate", hidden=True),
        _debate(city_debates, "SECRET draft debate", live=False),
    ]

    open_debate = w.public["debates"][0]
    shown = Comment.post(open_debate, minji, "<p>Public for comment</p>", position="for")
    Comment.post(open_debate, seojun, "<p>Public against comment</p>", position="against")
    Comment.post(open_debate, seojun, "<p>Public reply</p>", parent=shown)
    hidden = Comment.post(open_debate, seojun, "<p>SECRET hidden comment</p>", position="for")
    Comment.objects.filter(pk=hidden.pk).update(hidden=True)
    deleted = Comment.post(open_debate, seojun, "<p>SECRET deleted comment</p>", position="for")
    deleted.soft_delete()
    Comment.post(w.secret["debates"][0], minji, "<p>SECRET comment on a hidden debate</p>")
    Comment.post(w.secret["proposals"][1], minji, "<p>SECRET comment on a hidden proposal</p>")
    Comment.post(w.public["proposals"][1], minji, "<p>Public comment on a proposal</p>")

    now = timezone.now()
    w.public["polls"] = [
        make_poll(
            province,
            title="Province open poll",
            questions=[("single", "Which route?", ["Hall", "Station"], None)],
        ),
        make_poll(
            city,
            title="City closed poll",
            slug="closed-poll",
            opens_at=now - datetime.timedelta(days=10),
            closes_at=now - datetime.timedelta(days=1),
        ),
    ]
    w.budget_published = _budget(city, "Published", tmp_path)
    w.budget_secret = _budget(province, "Unpublished", tmp_path)
    w.result_published = _result(w.budget_published, published=True, scores_marker=7)
    w.result_secret = _result(w.budget_secret, published=False, scores_marker=987654)
    return w
