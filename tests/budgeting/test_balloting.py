"""Citizens' budget ballots on the site: each kind, every way a ballot is refused (nothing
changes), changing a ballot with the receipt, checking the receipt, and the opening that
turns the sealed ballots into rows the counting rules read."""

import re

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from budgeting.models import BudgetBallot
from tests.factories import UserFactory
from tests.voting.factories import verify
from voting import secrecy
from voting.models import Participation, SealedEnvelope, VoterVerification

from .balloting import HOST, RECEIPT_RE, ballot_url, close_balloting, make_budget, projects_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def voter(city, client):
    user = UserFactory(display_name="투표자")
    verify(user, city)
    client.force_login(user)
    return user


def post(client, budget, data, action="vote"):
    return client.post(ballot_url(budget), {"action": action, **data}, **HOST)


def sealed_count(budget):
    return SealedEnvelope.objects.filter(box__contest_id=budget.pk).count()


def test_knapsack_ballot_within_the_amount_is_cast_with_a_receipt(city, client, voter):
    budget = make_budget(city, kind="knapsack", amount=100, costs=(40, 30, 50, 20))
    a, b, _c, d = projects_of(budget)
    response = post(client, budget, {"project": [a.pk, b.pk, d.pk]})
    html = response.content.decode()
    assert response.status_code == 200, html
    assert "Your ballot was cast" in html
    assert re.search(RECEIPT_RE, html)
    assert Participation.objects.filter(contest_id=budget.pk, user=voter).count() == 1
    assert sealed_count(budget) == 1


def test_knapsack_over_the_amount_is_refused_and_nothing_changes(city, client, voter):
    budget = make_budget(city, kind="knapsack", amount=100, costs=(40, 30, 50, 20))
    a, b, c, _d = projects_of(budget)
    response = post(client, budget, {"project": [a.pk, b.pk, c.pk]})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Your ballot was not recorded." in html
    assert "cost 120 KRW, more than the 100 KRW this heading has" in html
    assert sealed_count(budget) == 0
    assert not Participation.objects.filter(contest_id=budget.pk).exists()


def test_approval_with_a_maximum(city, client, voter):
    budget = make_budget(city, kind="approval", max_length=2)
    a, b, c, _d = projects_of(budget)
    refused = post(client, budget, {"project": [a.pk, b.pk, c.pk]})
    assert refused.status_code == 400
    assert "You chose 3 projects; at most 2 are allowed." in refused.content.decode()
    assert sealed_count(budget) == 0
    assert post(client, budget, {"project": [a.pk, c.pk]}).status_code == 200
    assert sealed_count(budget) == 1


def test_choose_one(city, client, voter):
    budget = make_budget(city, kind="choose-1")
    a, b, *_ = projects_of(budget)
    refused = post(client, budget, {"project": [a.pk, b.pk]})
    assert "Choose exactly one project." in refused.content.decode()
    assert post(client, budget, {"project": [b.pk]}).status_code == 200


@pytest.mark.parametrize(
    ("points", "message"),
    [
        ({"a": "-1", "b": "3"}, "Points cannot be negative."),
        ({"a": "1.5", "b": "3"}, "Points must be whole numbers."),
        ({"a": "6", "b": "5"}, "You gave 11 points; you have 10 to give."),
    ],
)
def test_cumulative_bad_points_are_refused(city, client, voter, points, message):
    budget = make_budget(city, kind="cumulative", max_sum_points=10)
    a, b, *_ = projects_of(budget)
    data = {f"points-{a.pk}": points["a"], f"points-{b.pk}": points["b"]}
    response = post(client, budget, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert sealed_count(budget) == 0


def test_cumulative_points_within_the_limit(city, client, voter):
    budget = make_budget(city, kind="cumulative", max_sum_points=10)
    a, b, *_ = projects_of(budget)
    response = post(client, budget, {f"points-{a.pk}": "7", f"points-{b.pk}": "3"})
    assert response.status_code == 200
    assert "7 points" in response.content.decode()


def test_ranked_ballot_and_repeated_ranks(city, client, voter):
    budget = make_budget(city, kind="ordinal", max_length=3)
    a, b, c, d = projects_of(budget)
    repeated = post(client, budget, {f"rank-{a.pk}": "1", f"rank-{b.pk}": "1"})
    assert "Each rank may be given to one project only." in repeated.content.decode()
    too_many = post(
        client,
        budget,
        {f"rank-{a.pk}": "1", f"rank-{b.pk}": "2", f"rank-{c.pk}": "3", f"rank-{d.pk}": "4"},
    )
    assert "at most 3 are allowed" in too_many.content.decode()
    assert sealed_count(budget) == 0
    ok = post(client, budget, {f"rank-{c.pk}": "1", f"rank-{a.pk}": "2"})
    assert ok.status_code == 200
    html = ok.content.decode()
    assert html.index(c.title) < html.index(a.title)


def test_a_project_of_another_heading_or_nothing_at_all_is_refused(city, client, voter):
    budget = make_budget(city, headings=[("시 전체", 100, ""), ("의창구", 100, "")])
    _first, second = budget.headings.order_by("sort_order")
    other = projects_of(budget, second)[0]
    response = post(client, budget, {"project": [other.pk]})
    assert "One of the projects chosen is not on this ballot." in response.content.decode()
    assert "Choose at least one project." in post(client, budget, {}).content.decode()
    assert post(client, budget, {"project": ["x'; drop"]}).status_code == 400
    assert sealed_count(budget) == 0


def test_outside_the_phase_and_ineligible_voters_are_refused(city, client):
    budget = make_budget(city)
    a = projects_of(budget)[0]
    stranger = UserFactory(display_name="주민 아님")
    client.force_login(stranger)
    response = post(client, budget, {"project": [a.pk]})
    assert response.status_code == 403
    assert "only its residents may vote here" in response.content.decode()
    verify(stranger, city)
    closed = close_balloting(budget)
    response = post(client, closed, {"project": [a.pk]})
    assert response.status_code == 403
    assert "not in its balloting phase" in response.content.decode()
    assert sealed_count(budget) == 0


def test_own_district_only(city, client, voter):
    budget = make_budget(
        city,
        own_district_only=True,
        headings=[("의창구", 100, "의창구"), ("성산구", 100, "성산구")],
    )
    first, second = budget.headings.order_by("sort_order")
    VoterVerification.objects.filter(user=voter).update(district="의창구")
    ok = client.post(
        ballot_url(budget, first),
        {"action": "vote", "project": [projects_of(budget, first)[0].pk]},
        **HOST,
    )
    assert ok.status_code == 200
    refused = client.post(
        ballot_url(budget, second),
        {"action": "vote", "project": [projects_of(budget, second)[0].pk]},
        **HOST,
    )
    assert refused.status_code == 403
    assert "Only residents of 성산구 may vote here." in refused.content.decode()


def test_a_second_ballot_is_refused_and_a_change_needs_the_receipt(city, client, voter):
    budget = make_budget(city, kind="approval")
    a, b, c, _d = projects_of(budget)
    receipt = re.search(RECEIPT_RE, post(client, budget, {"project": [a.pk]}).content.decode())[0]
    again = post(client, budget, {"project": [b.pk]})
    assert again.status_code == 403
    assert "You have already voted in this heading." in again.content.decode()

    wrong = post(client, budget, {"project": [b.pk], "receipt": "AAAA-AAAA-AAAA-AAAA"}, "change")
    assert "No ballot in this heading matches that receipt code." in wrong.content.decode()

    changed = post(client, budget, {"project": [b.pk, c.pk], "receipt": receipt}, "change")
    assert changed.status_code == 200
    assert "Your ballot was changed" in changed.content.decode()
    assert sealed_count(budget) == 1

    # The receipt shows the ballot as it now stands, while balloting goes on.
    check = client.post(
        budget.url + budget.reverse_subpage("receipt"), {"receipt": receipt.lower()}, **HOST
    ).content.decode()
    assert "Your ballot is stored" in check
    assert b.title in check and c.title in check and a.title not in check

    # At the close the sealed ballots become rows the rules count; the receipt proves
    # only that it was counted.
    closed = close_balloting(budget)
    box = secrecy.opened_box(closed)
    assert box.results == {"turnout": {str(b.heading_id): 1}}
    ballot = BudgetBallot.objects.get(heading_id=b.heading_id)
    assert ballot.channel == "online" and ballot.voter_id == ""
    assert list(ballot.choices.order_by("position").values_list("project_id", flat=True)) == [
        b.pk,
        c.pk,
    ]
    counted = client.post(
        budget.url + budget.reverse_subpage("receipt"), {"receipt": receipt}, **HOST
    ).content.decode()
    assert "Your ballot was counted: it is one of the 1 online ballot opened." in counted
    assert b.title not in counted
    unknown = client.post(
        budget.url + budget.reverse_subpage("receipt"), {"receipt": "AAAA-AAAA-AAAA-AAAA"}, **HOST
    )
    assert unknown.status_code == 404


def test_what_is_left_shows_without_and_with_htmx(city, client, voter):
    budget = make_budget(city, kind="knapsack", amount=100, costs=(40, 30, 50, 20))
    a, b, c, _d = projects_of(budget)
    page = client.post(
        ballot_url(budget), {"action": "preview", "project": [a.pk, b.pk]}, **HOST
    ).content.decode()
    assert "Spent: 70 of 100 KRW." in page and "Left to spend: 30 KRW." in page
    assert f'checked aria-describedby="cost-{a.pk}"' in page
    fragment = client.post(
        ballot_url(budget),
        {"action": "preview", "project": [a.pk, b.pk, c.pk]},
        HTTP_HX_REQUEST="true",
        **HOST,
    ).content.decode()
    assert fragment.lstrip().startswith('<div id="ballot-summary"')
    assert "Over the budget" in fragment
    assert sealed_count(budget) == 0


def test_korean_messages(city, client, voter):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ko"
    budget = make_budget(city, kind="knapsack", amount=100, costs=(40, 30, 50, 20))
    a, b, c, _d = projects_of(budget)
    with translation.override("ko"):
        html = post(client, budget, {"project": [a.pk, b.pk, c.pk]}).content.decode()
    assert "투표가 기록되지 않았습니다" in html


def test_ballot_page_query_count(city, client, voter, django_assert_max_num_queries):
    budget = make_budget(city, costs=(1, 2), amount=10)
    url = ballot_url(budget)
    client.get(url, **HOST)
    connection.queries_log.clear()  # the setup filled the query log
    with django_assert_max_num_queries(30) as first:
        client.get(url, **HOST)
    fresh = len(first.captured_queries)
    budget2 = make_budget(city, costs=tuple(range(1, 30)), amount=10_000)
    client.get(ballot_url(budget2), **HOST)
    connection.queries_log.clear()  # the setup filled the query log
    # 29 projects instead of 2: an N+1 would add ~27 queries; the one query of slack is a
    # per-page lookup not yet pinned down (see the report).
    with django_assert_max_num_queries(fresh + 1):
        client.get(ballot_url(budget2), **HOST)
