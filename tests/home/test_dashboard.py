"""The municipality's dashboard: figures on a small case counted by hand, the period, the
CSV export, who may see it, and a query count that does not grow with the rows."""

import csv
import datetime
import io

import pytest
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import GroupPagePermission

from participation.models import (
    Comment,
    ProposalPage,
    SatisfactionInvitation,
    SatisfactionRating,
    Support,
)
from tests.factories import UserFactory

Stage = ProposalPage.Stage
URL = "/admin/dashboard/"


def at(day, hour=12):
    return timezone.make_aware(datetime.datetime(2026, 1, day, hour))


def editor_of(site, name):
    group = Group.objects.create(name=name)
    group.permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=group,
            page=site.root_page,
            permission=Permission.objects.get(
                codename=codename, content_type__app_label="wagtailcore"
            ),
        )
    user = UserFactory(is_staff=True)
    user.groups.add(group)
    return user


def add_proposal(
    town, n, stage, submitted, published=None, threshold=None, answered=None, due_days=30
):
    proposal = ProposalPage(
        title=f"제안 {n}",
        slug=f"proposal-{n}",
        summary="요약",
        body="본문",
        author=UserFactory(),
        stage=stage,
        submitted_at=submitted,
        published_at=published,
        threshold_reached_at=threshold,
        review_due_at=threshold + datetime.timedelta(days=due_days) if threshold else None,
        answered_at=answered,
    )
    town.index.add_child(instance=proposal)
    return proposal


@pytest.fixture
def seeded(town):
    """Two weeks (Mon 5 – Sun 18 January 2026) of one province, counted by hand below."""
    p1 = add_proposal(town, 1, Stage.ADOPTED, at(5), at(6), at(7), at(9))  # 2 days, on time
    add_proposal(town, 2, Stage.IMPLEMENTED, at(6), at(6), at(6), at(16), due_days=2)  # 10, late
    add_proposal(town, 3, Stage.REJECTED_BY_COMMITTEE, at(7), at(7), at(8), at(12))  # 4, on time
    p4 = add_proposal(town, 4, Stage.COLLECTING, at(8), at(9))
    add_proposal(town, 5, Stage.MODERATION, at(10))
    add_proposal(town, 6, Stage.ADOPTED, at(1) - datetime.timedelta(days=40))  # before the period
    a, b, c, d = (UserFactory() for _ in range(4))
    Support.objects.create(proposal=p4, user=a, created_at=at(9))
    Support.objects.create(proposal=p4, user=b, created_at=at(10))
    Support.objects.create(proposal=p1, user=a, created_at=at(13))  # week 2, again a
    Comment.objects.create(page=p4, author=c, body="좋아요", created_at=at(14))
    Comment.objects.create(page=p4, author=c, body="한 번 더", created_at=at(15))
    for person, answer, process in ((a, 5, 4), (d, 2, 3)):
        SatisfactionInvitation.objects.create(subject=p1, user=person, created_at=at(10))
        SatisfactionRating.objects.create(
            subject=p1, user=person, answer_score=answer, process_score=process, created_at=at(16)
        )
    SatisfactionInvitation.objects.create(subject=p1, user=b, created_at=at(10))
    return town


def get(client, **params):
    return client.get(
        URL, {"start": "2026-01-05", "end": "2026-01-18", **params}, HTTP_HOST="gyeongnam.test"
    )


def test_the_figures_of_a_small_case_counted_by_hand(client, seeded):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = get(client)
    assert response.status_code == 200
    context = response.context
    assert [row["value"] for row in context["active"]] == [2, 3]  # a, b; then a, c, d
    funnel = [row["value"] for row in context["funnel"]]
    assert funnel == [5, 4, 3, 3, 2, 1]
    answers = dict(context["answers"])
    assert list(answers.values()) == [3, 2, 66.7, 4.0, 8.8, 30]
    discussion = dict(context["discussion"])
    assert list(discussion.values()) == [0, 2, 0]
    satisfaction = dict(context["satisfaction"])
    assert list(satisfaction.values())[:5] == [3, 2, 66.7, 3.5, 3.5]
    assert [row["value"] for row in context["spread"]] == [0, 1, 0, 0, 1]
    html = response.content.decode()
    # Every chart has its numbers beside it, in a table.
    assert (
        html.count('class="dash-chart__svg"')
        == html.count('class="listing dash-chart__table"')
        >= 6
    )
    assert "66.7" in html and "8.8" in html


def test_a_shorter_period_counts_only_what_happened_in_it(client, seeded):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = get(client, start="2026-01-12", end="2026-01-18")
    funnel = [row["value"] for row in response.context["funnel"]]
    assert funnel == [0, 0, 0, 0, 0, 0]
    assert [row["value"] for row in response.context["active"]] == [3]
    # Answered in the second week: 10 days (late) and 4 days (on time).
    assert list(dict(response.context["answers"]).values()) == [2, 1, 50.0, 7.0, 9.4, 30]


def test_bad_dates_are_refused_in_korean(client, seeded):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, language="ko"))
    response = get(client, start="2026-01-18", end="2026-01-05")
    assert response.status_code == 400
    assert "시작일" in response.content.decode()
    response = get(client, start="어제")
    assert response.status_code == 400


def test_csv_export_carries_every_figure(client, seeded):
    client.force_login(UserFactory(is_staff=True, is_superuser=True, language="ko"))
    response = get(client, format="csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    values = {(row[0], row[1]): row[2] for row in rows[1:]}
    assert values[("위원회 답변", "기간 안에 답변한 비율(%)")] == "66.7"
    assert values[("제안 단계별 흐름", "채택")] == "2"
    assert values[("주간 활동 참여자", "2026-01-12")] == "3"


def test_staff_of_another_municipality_get_403(client, seeded, city):
    city_editor = editor_of(city, "창원 편집자")
    client.force_login(city_editor)
    assert get(client, site=seeded.site.pk).status_code == 403
    own = get(client, site=city.pk)
    assert own.status_code == 200
    assert [row["value"] for row in own.context["funnel"]] == [0, 0, 0, 0, 0, 0]
    client.force_login(UserFactory())
    assert client.get(URL, HTTP_HOST="gyeongnam.test").status_code in (302, 403)


def test_a_province_counts_its_cities(client, seeded, city_town):
    add_proposal(city_town, 7, Stage.COLLECTING, at(11), at(12))
    province_editor = editor_of(seeded.site, "경남 편집자")
    client.force_login(province_editor)
    funnel = [row["value"] for row in get(client).context["funnel"]]
    assert funnel == [6, 5, 3, 3, 2, 1]


def test_the_query_count_does_not_grow_with_the_rows(client, seeded):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    get(client)
    with CaptureQueriesContext(connection) as small:
        get(client)
    p4 = ProposalPage.objects.get(slug="proposal-4")
    for _n in range(30):
        Support.objects.create(proposal=p4, user=UserFactory(), created_at=at(11))
        Comment.objects.create(page=p4, author=UserFactory(), body="댓글", created_at=at(11))
    for n in range(8, 12):
        add_proposal(seeded, n, Stage.COLLECTING, at(11), at(12))
    with CaptureQueriesContext(connection) as large:
        get(client)
    assert len(large) == len(small)


def test_poll_turnout_against_the_eligible_population(client, seeded):
    from tests.voting.factories import make_poll
    from voting.models import Participation

    poll = make_poll(
        seeded.site,
        title="광장 이름",
        opens_at=at(5),
        closes_at=at(15),
        eligible_population=40,
    )
    later = make_poll(seeded.site, title="다음 투표", opens_at=at(5), closes_at=at(25))
    for _n in range(6):
        Participation.objects.create(contest=poll, user=UserFactory(), voted_on=at(12).date())
    Participation.objects.create(contest=later, user=UserFactory(), voted_on=at(12).date())
    client.force_login(UserFactory(is_staff=True, is_superuser=True, language="ko"))
    response = get(client)
    assert [tuple(map(str, row)) for row in response.context["turnout"]] == [
        ("투표", "광장 이름", "6", "40", "15.0")
    ]
    # Voters are active participants of their week too: a, c, d, six voters and the one of
    # the poll still open.
    assert [row["value"] for row in response.context["active"]] == [2, 10]
