"""Paper and on-site ballots entered by staff, the weighted final score, and the one gate:
nothing about the votes shows anywhere (pages, downloads, the command, the live block)
before staff publish the result."""

import re

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import CommandError
from django.db import connection
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from budgeting import tallying
from budgeting.blocks import BudgetResultsBlock
from budgeting.models import BudgetBallot, BudgetProjectPage, BudgetResult
from tests.factories import StaffFactory, UserFactory
from tests.voting.factories import verify
from voting import secrecy

from .balloting import HOST, RECEIPT_RE, ballot_url, close_balloting, make_budget, projects_of
from .conftest import run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def staff(db):
    return StaffFactory(display_name="담당자")


def offline_url(budget):
    return reverse("budgeting_admin:offline", args=[budget.pk])


def test_staff_enter_one_paper_ballot_and_a_bad_one_changes_nothing(city, client, staff):
    budget = make_budget(city, kind="knapsack", amount=100, costs=(40, 30, 50, 20))
    a, b, c, _d = projects_of(budget)
    heading = budget.headings.get()
    client.force_login(staff)
    bad = client.post(
        offline_url(budget),
        {"form": "one", "heading": heading.pk, "channel": "paper", "vote": f"{a.pk},{b.pk},{c.pk}"},
    )
    assert bad.status_code == 400
    assert "more than the 100 KRW this heading has" in bad.content.decode()
    assert not BudgetBallot.objects.exists()
    ok = client.post(
        offline_url(budget),
        {"form": "one", "heading": heading.pk, "channel": "booth", "vote": f"{a.pk}, {b.pk}"},
    )
    assert ok.status_code == 302
    ballot = BudgetBallot.objects.get()
    assert ballot.channel == "booth"
    assert list(ballot.choices.order_by("position").values_list("project_id", flat=True)) == [
        a.pk,
        b.pk,
    ]


def test_a_csv_with_a_bad_line_imports_nothing_and_names_the_lines(city, client, staff):
    budget = make_budget(city, kind="cumulative", max_sum_points=10)
    a, b, *_ = projects_of(budget)
    heading = budget.headings.get()
    client.force_login(staff)
    text = (
        "heading,channel,vote,points\n"
        f'{heading.pk},paper,"{a.pk},{b.pk}","4,6"\n'
        f"{heading.name},booth,{a.pk},11\n"
        f"{heading.pk},paper,{a.pk},-2\n"
        f"{heading.pk},online,{a.pk},1\n"
        f"{heading.pk},paper,99999,1\n"
    )
    upload = SimpleUploadedFile("ballots.csv", text.encode(), content_type="text/csv")
    response = client.post(offline_url(budget), {"form": "file", "file": upload})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported." in html
    assert "Line 3: You gave 11 points; you have 10 to give." in html
    assert "Line 4: Points cannot be negative." in html
    assert "Line 5: the channel must be paper or booth." in html
    assert "Line 6: Unknown project: 99999." in html
    assert "Line 2" not in html
    assert not BudgetBallot.objects.exists()

    good = "\ufeffheading,channel,vote,points\n" + "\n".join(text.splitlines()[1:3]) + "\n"
    upload = SimpleUploadedFile("ballots.csv", good.encode(), content_type="text/csv")
    response = client.post(offline_url(budget), {"form": "file", "file": upload}, follow=True)
    html = response.content.decode()
    assert "Nothing was imported." in html  # line 3 of the good file is still 11 points
    good = "heading,channel,vote,points\n" + text.splitlines()[1] + "\n"
    upload = SimpleUploadedFile("ballots.csv", good.encode(), content_type="text/csv")
    response = client.post(offline_url(budget), {"form": "file", "file": upload}, follow=True)
    assert "1 ballots were imported." in response.content.decode()
    ballot = BudgetBallot.objects.get()
    assert ballot.channel == "paper"
    assert sorted(ballot.choices.values_list("points", flat=True)) == [4, 6]

    garbage = SimpleUploadedFile("x.csv", b"\xff\xfe\x00junk", content_type="text/csv")
    response = client.post(offline_url(budget), {"form": "file", "file": garbage})
    assert response.status_code == 400
    assert BudgetBallot.objects.count() == 1


def vote(client, budget, user, projects):
    client.force_login(user)
    response = client.post(
        ballot_url(budget), {"action": "vote", "project": [p.pk for p in projects]}, **HOST
    )
    assert response.status_code == 200, response.content.decode()
    return re.search(RECEIPT_RE, response.content.decode())[0]


def test_weighted_final_score_orders_the_greedy_rule(city, client):
    # Online voters like A, paper voters like B; the committee decides it for B.
    budget = make_budget(
        city,
        kind="approval",
        amount=50,
        costs=(40, 40),
        weight_online=45,
        weight_offline=45,
        weight_committee=10,
    )
    a, b = projects_of(budget)
    BudgetProjectPage.objects.filter(pk=b.pk).update(committee_score=90)
    BudgetProjectPage.objects.filter(pk=a.pk).update(committee_score=10)
    for _i in range(3):
        user = UserFactory()
        verify(user, city)
        vote(client, budget, user, [a])
    closed = close_balloting(budget)
    secrecy.opened_box(closed)
    heading = closed.headings.get()
    from budgeting import offline
    from budgeting.ballots import read_form, record_offline, validate  # noqa: F401

    ids = offline.project_ids(closed)
    paper = [offline.read_ballot(closed, heading, str(b.pk), "", ids) for _i in range(3)]
    record_offline(paper, "paper")
    result, data = tallying.compute(heading, "greedy")
    # A: 45*1 + 45*0 + 10*0.1 = 46; B: 45*0 + 45*1 + 10*0.9 = 54.
    assert result.selected == [b.pk]
    entries = {e["title"]: e for e in data["explanation"]["projects"]}
    assert entries[b.title]["score"] == 54 and entries[a.title]["score"] == 46
    assert entries[a.title]["online"] == 3 and entries[b.title]["offline"] == 3
    assert data["explanation"]["weights"]["weights"] == [45, 45, 10]


def test_nothing_about_votes_is_visible_before_publishing(city, client, staff):
    budget = make_budget(city, kind="approval", amount=60, costs=(40, 30, 50))
    a, b, c = projects_of(budget)
    for picks in ([a, b], [a], [c]):
        user = UserFactory()
        verify(user, city)
        vote(client, budget, user, picks)
    closed = close_balloting(budget)
    secrecy.opened_box(closed)
    heading = closed.headings.get()
    result, _data = tallying.compute(heading, "greedy", user=staff)
    client.logout()  # which forgets the cookies too
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"

    results_url = closed.url + closed.reverse_subpage("results")
    csv_url = closed.url + closed.reverse_subpage("results_csv", args=[heading.pk])
    pb_url = closed.url + closed.reverse_subpage("results_pabulib", args=[heading.pk])
    block = BudgetResultsBlock()
    request = RequestFactory().get("/", HTTP_HOST="changwon.test")

    def seen():
        pages = [
            client.get(closed.url, **HOST).content.decode(),
            client.get(a.url, **HOST).content.decode(),
            client.get(results_url, **HOST).content.decode(),
            block.render(block.to_python({"budget": closed.pk}), {"request": request}),
        ]
        return pages, client.get(csv_url, **HOST), client.get(pb_url, **HOST)

    pages, csv_response, pb_response = seen()
    assert csv_response.status_code == 404 and pb_response.status_code == 404
    assert "Page not found" in csv_response.content.decode()
    for html in pages:
        assert "Funded" not in html and "funded" not in html.replace("Results will", "")
        assert "ballots" not in html or "ballots counted" not in html
        assert "Rank 1" not in html
    assert "The result of this heading is not published yet." in pages[2]
    with pytest.raises(CommandError, match="not published"):
        run("export_pabulib", str(closed.pk))
    out, _err = run("export_pabulib", str(closed.pk), "--before-publishing")
    assert "VOTES" in out

    BudgetResult.objects.filter(pk=result.pk).update(published_at=result.computed_at)
    cache.clear()  # anonymous pages are cached for a few seconds
    pages, csv_response, pb_response = seen()
    assert "Rank 1 with a score of 2: funded" in pages[2]
    assert "3 ballots counted; 40 of 60 KRW spent." in pages[2]
    assert "Online" in pages[2] and "3 of 1 eligible people voted" not in pages[2]
    assert "Rank 1 with a score of 2" in pages[1]
    assert "1 project funded with 40 KRW, from 3 ballots." in pages[3]
    assert csv_response.status_code == 200
    assert f"1,{a.pk},{a.title},40,2" in csv_response.content.decode()
    assert pb_response.status_code == 200 and "selected" in pb_response.content.decode()


def published_budget(city, client, costs):
    budget = make_budget(city, kind="approval", amount=60, costs=costs)
    user = UserFactory()
    verify(user, city)
    vote(client, budget, user, projects_of(budget)[:2])
    closed = close_balloting(budget)
    secrecy.opened_box(closed)
    result, _ = tallying.compute(closed.headings.get(), "greedy")
    BudgetResult.objects.filter(pk=result.pk).update(published_at=result.computed_at)
    return closed.url + closed.reverse_subpage("results")


def test_results_page_query_count(city, client, django_assert_max_num_queries):
    small = published_budget(city, client, (10, 20))
    large = published_budget(city, client, tuple(range(10, 40)))
    client.get(small, **HOST)
    cache.clear()  # anonymous pages are cached: count a fresh render
    connection.queries_log.clear()  # the setup filled the query log
    with django_assert_max_num_queries(25) as counted:
        response = client.get(small, **HOST)
    fresh = len(counted.captured_queries)
    assert response.status_code == 200
    client.get(large, **HOST)
    cache.clear()
    connection.queries_log.clear()  # the setup filled the query log
    with django_assert_max_num_queries(fresh):
        response = client.get(large, **HOST)
    assert response.content.decode().count("<tr>") > 30
