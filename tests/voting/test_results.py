"""Results: when they show, what they count (online, offline), turnout, CSV, lists, blocks."""

import csv
import datetime
import io

import pytest
import time_machine
from django.utils import timezone

from home.models import HomePage
from tests.factories import StaffFactory, UserFactory
from tests.voting.factories import make_poll, poll_index, verify
from voting import ballots
from voting.models import CensusEntry, OfflineResult, OfflineTurnout, PollPage

pytestmark = pytest.mark.django_db
HOST = {"HTTP_HOST": "changwon.test"}


def option_ids(poll, question=0):
    return [o.pk for o in poll.question_list[question].options.all()]


def cast_many(poll, site, choices_list):
    """Each entry is a list of (question index, option index, rank) for one new voter."""
    receipts = []
    for picks in choices_list:
        user = UserFactory()
        verify(user, site)
        choices = [(poll.question_list[q].pk, option_ids(poll, q)[o], rank) for q, o, rank in picks]
        moment = poll.opens_at + datetime.timedelta(minutes=1)
        receipts.append(ballots.cast(poll, user, site, choices, now=moment))
    return receipts


@pytest.fixture
def voted(poll, city):
    """Three voters: two for City hall, one for Station; stops; rankings."""
    cast_many(
        poll,
        city,
        [
            [(0, 0, None), (1, 0, None), (1, 1, None), (2, 0, 1), (2, 1, 2)],
            [(0, 0, None), (1, 0, None), (2, 1, 1)],
            [(0, 1, None), (1, 3, None), (2, 2, 1), (2, 0, 2), (2, 1, 3)],
        ],
    )
    return poll


def after_close(poll):
    return time_machine.travel(poll.closes_at + datetime.timedelta(hours=1))


def rows_of(html, caption):
    """The text of a results table's body rows, found by its caption."""
    start = html.index(caption)
    body = html[html.index("<tbody>", start) : html.index("</tbody>", start)]
    import re

    rows = []
    for row in re.findall(r"<tr.*?</tr>", body, flags=re.S):
        rows.append(
            [
                re.sub(r"<.*?>", "", c).strip()
                for c in re.findall(r"<t[hd].*?</t[hd]>", row, flags=re.S)
            ]
        )
    return rows


def test_results_are_hidden_until_the_close(client, voted):
    html = client.get(voted.url, **HOST).content.decode()
    assert "Results will be published when the poll closes." in html
    assert "Results for" not in html
    assert client.get(voted.url + "answers-csv/", **HOST).status_code == 404


def test_results_after_the_close(client, voted):
    with after_close(voted):
        html = client.get(voted.url, **HOST).content.decode()
    assert "This poll has closed." in html
    assert rows_of(html, "Results for “Where should the new bus line go?”") == [
        ["City hall", "2", "2", "66.7%"],
        ["Station", "1", "1", "33.3%"],
        ["Market", "0", "0", "0.0%"],
    ]
    assert rows_of(html, "Results for “Which stops matter most?”") == [
        ["School", "2", "2", "50.0%"],
        ["Hospital", "1", "1", "25.0%"],
        ["Park", "0", "0", "0.0%"],
        ["Library", "1", "1", "25.0%"],
    ]
    # Ranking: 3 points for a first place, 2 for a second, 1 for a third.
    assert rows_of(html, "Results for “Rank the timetables”") == [
        ["Morning", "5", "5", "35.7%"],
        ["Evening", "6", "6", "42.9%"],
        ["Night", "3", "3", "21.4%"],
    ]
    assert rows_of(html, "Turnout") == [["Online", "3"], ["Total", "3"]]
    assert '<svg class="poll-chart__bars" aria-hidden="true"' in html


def test_live_results_while_open(client, city):
    poll = make_poll(city, results_visibility="live")
    cast_many(poll, city, [[(0, 2, None)]])
    html = client.get(poll.url, **HOST).content.decode()
    assert "Results so far" in html
    assert rows_of(html, "Results for")[2] == ["시장", "1", "1", "100.0%"]


def test_offline_results_by_channel_and_turnout(client, voted, city):
    staff = StaffFactory(language="en")
    client.force_login(staff)
    url = f"/admin/voting/polls/{voted.pk}/offline/"
    page = client.get(url, **HOST).content.decode()
    assert "City hall — Paper ballot" in page
    data = {"turnout_paper": "10", "turnout_booth": "2"}
    for question in voted.question_list:
        for option in question.options.all():
            data[f"o{option.pk}_paper"] = "0"
            data[f"o{option.pk}_booth"] = "0"
    station = option_ids(voted)[1]
    data[f"o{station}_paper"] = "7"
    data[f"o{station}_booth"] = "2"
    data[f"o{option_ids(voted)[0]}_paper"] = "3"
    assert client.post(url, data, **HOST).status_code == 302
    assert OfflineResult.objects.filter(poll=voted).count() == 20
    voted.eligible_population = 300
    voted.save_revision().publish()
    client.logout()
    client.cookies["django_language"] = "en"
    with after_close(voted):
        html = client.get(voted.url, **HOST).content.decode()
    assert rows_of(html, "Results for “Where should the new bus line go?”")[:2] == [
        ["City hall", "2", "3", "0", "5", "33.3%"],
        ["Station", "1", "7", "2", "10", "66.7%"],
    ]
    assert rows_of(html, "Turnout") == [
        ["Online", "3"],
        ["Paper ballot", "10"],
        ["On-site booth", "2"],
        ["Total", "15"],
    ]
    assert "Turnout: 15 of 300 eligible residents (5.0%)." in html
    # Saving again updates rather than adds.
    client.force_login(staff)
    data["turnout_paper"] = "11"
    client.post(url, data, **HOST)
    assert OfflineTurnout.objects.get(poll=voted, channel="paper").ballots == 11
    assert OfflineResult.objects.filter(poll=voted).count() == 20


def test_offline_results_bad_input_changes_nothing(client, voted):
    client.force_login(StaffFactory(language="en"))
    url = f"/admin/voting/polls/{voted.pk}/offline/"
    response = client.post(url, {"turnout_paper": "-3", "turnout_booth": "many"}, **HOST)
    assert response.status_code == 400
    assert "Some numbers are not valid; nothing was saved." in response.content.decode()
    assert not OfflineResult.objects.exists() and not OfflineTurnout.objects.exists()


def test_citizens_cannot_enter_offline_results(client, voted, citizen):
    client.force_login(citizen)
    response = client.get(f"/admin/voting/polls/{voted.pk}/offline/", **HOST)
    assert response.status_code in (302, 403)


def test_turnout_from_the_census(client, city):
    today = timezone.localdate()
    for n, age in enumerate([10, 14, 30, 80]):
        CensusEntry.objects.create(
            site=city,
            identity_hash=f"{n:064x}",
            birth_date=today.replace(year=today.year - age) - datetime.timedelta(days=30),
        )
    poll = make_poll(city)
    cast_many(poll, city, [[(0, 0, None)]])
    with after_close(poll):
        html = client.get(poll.url, **HOST).content.decode()
    assert "Turnout: 1 of 3 eligible residents (33.3%)." in html


def test_csv_of_anonymous_answers(client, voted):
    with after_close(voted):
        response = client.get(voted.url + "answers-csv/", **HOST)
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "ballot",
        "channel",
        "question_id",
        "question",
        "option_id",
        "option",
        "rank",
    ]
    assert len(rows) == 1 + 13
    assert len({row[0] for row in rows[1:]}) == 3
    assert {row[1] for row in rows[1:]} == {"online"}
    ballots_in_order = [row[0] for row in rows[1:]]
    assert ballots_in_order == sorted(ballots_in_order)  # random ids, not the order of voting
    assert "@example.com" not in text and "시민" not in text


def test_poll_index_lists_polls_with_fixed_queries(client, city, django_assert_max_num_queries):
    now = timezone.now()
    for n in range(14):
        make_poll(city, title=f"열린 투표 {n}", slug=f"open-{n}")
    make_poll(
        city,
        title="지난 투표",
        slug="closed",
        opens_at=now - datetime.timedelta(days=9),
        closes_at=now - datetime.timedelta(days=2),
    )
    make_poll(
        city,
        title="다가올 투표",
        slug="soon",
        opens_at=now + datetime.timedelta(days=2),
        closes_at=now + datetime.timedelta(days=9),
    )
    url = poll_index(city).url
    with django_assert_max_num_queries(30):
        html = client.get(url, **HOST).content.decode()
    assert html.count('class="poll-card"') == 10
    assert "Page 1 of 2" in html
    html = client.get(url + "?page=2", **HOST).content.decode()
    assert "다가올 투표" in html and "지난 투표" in html
    html = client.get(url + "?status=closed", **HOST).content.decode()
    assert html.count('class="poll-card"') == 1 and "지난 투표" in html
    html = client.get(url + "?status=upcoming&page=99", **HOST).content.decode()
    assert "다가올 투표" in html
    assert client.get(url + "?status=nonsense&page=x", **HOST).status_code == 200


def test_poll_index_query_count_does_not_grow(client, city, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_poll(city, slug="a")
    url = poll_index(city).url
    client.get(url, **HOST)
    with CaptureQueriesContext(connection) as few:
        client.get(url, **HOST)
    baseline = len(
        few
    )  # now: the capture slices the connection's query log, which later work rotates
    for n in range(12):
        poll = make_poll(city, slug=f"more-{n}")
        cast_many(poll, city, [[(0, 0, None)]])
    client.get(url, **HOST)  # publishing refreshed the cached menu and site: fill them again
    with CaptureQueriesContext(connection) as many:
        client.get(url, **HOST)
    assert len(many) == baseline


def test_live_blocks_on_the_home_page(client, city, voted):
    closed = make_poll(
        city,
        title="지난 투표",
        slug="closed",
        opens_at=timezone.now() - datetime.timedelta(days=9),
        closes_at=timezone.now() - datetime.timedelta(days=2),
    )
    cast_many(closed, city, [[(0, 1, None)]])
    home = HomePage.objects.get(pk=city.root_page_id)
    home.body = [
        {"type": "open_polls", "value": {"heading": "지금 투표하세요", "count": 3}},
        {"type": "poll_results", "value": {"heading": "", "poll": closed.pk}},
        {"type": "poll_results", "value": {"heading": "진행 중", "poll": voted.pk}},
    ]
    home.save_revision().publish()
    html = client.get("/", **HOST).content.decode()
    assert "지금 투표하세요" in html
    assert voted.title in html
    assert rows_of(html, "새 노선을 어디로 할까요?")[1] == ["역", "1", "100.0%"]
    assert "Results will be published when the poll closes." in html


def test_poll_admin_pages_render(client, city, voted):
    client.force_login(StaffFactory(language="en"))
    index = poll_index(city)
    response = client.get(f"/admin/pages/add/voting/pollpage/{index.pk}/", **HOST)
    assert response.status_code == 200
    response = client.get(f"/admin/pages/{voted.pk}/edit/", **HOST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Rank the timetables" in html
    assert f"/admin/voting/polls/{voted.pk}/offline/" in html
    assert client.get("/admin/voter_verifications/", **HOST).status_code == 200


def test_staff_create_a_poll_in_the_admin(client, city):
    client.force_login(StaffFactory(language="en"))
    index = poll_index(city)
    now = timezone.localtime()
    data = {
        "title": "공원 이름",
        "slug": "park-name",
        "introduction-count": "0",
        "opens_at": (now - datetime.timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
        "closes_at": (now + datetime.timedelta(days=3)).strftime("%Y-%m-%d %H:%M"),
        "residents_only": "on",
        "results_visibility": "after_close",
        "questions-TOTAL_FORMS": "1",
        "questions-INITIAL_FORMS": "0",
        "questions-MIN_NUM_FORMS": "1",
        "questions-MAX_NUM_FORMS": "1000",
        "questions-0-text": "어떤 이름이 좋을까요?",
        "questions-0-kind": "single",
        "questions-0-ORDER": "1",
        "questions-0-DELETE": "",
        "questions-0-options-TOTAL_FORMS": "2",
        "questions-0-options-INITIAL_FORMS": "0",
        "questions-0-options-MIN_NUM_FORMS": "2",
        "questions-0-options-MAX_NUM_FORMS": "1000",
        "questions-0-options-0-text": "푸른숲",
        "questions-0-options-0-ORDER": "1",
        "questions-0-options-1-text": "해오름",
        "questions-0-options-1-ORDER": "2",
        "action-publish": "publish",
    }
    response = client.post(f"/admin/pages/add/voting/pollpage/{index.pk}/", data, **HOST)
    assert response.status_code == 302, response.content.decode()[:3000]
    poll = PollPage.objects.get(slug="park-name")
    assert [o.text for o in poll.question_list[0].options.all()] == ["푸른숲", "해오름"]


def test_staff_see_only_their_municipalitys_residents(client, city, province):
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission

    group = Group.objects.create(name="창원 편집자")
    group.permissions.add(
        Permission.objects.get(codename="access_admin"),
        *Permission.objects.filter(
            content_type__app_label="voting", codename__endswith="verification"
        ),
    )
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=group,
            page=city.root_page,
            permission=Permission.objects.get(
                codename=codename, content_type__app_label="wagtailcore"
            ),
        )
    officer = UserFactory(is_staff=True, language="en")
    officer.groups.add(group)
    here, there = UserFactory(display_name="창원주민"), UserFactory(display_name="도민")
    mine = verify(here, city)
    theirs = verify(there, province)
    client.force_login(officer)
    html = client.get("/admin/voter_verifications/", **HOST).content.decode()
    assert "창원주민" in html and "도민" not in html
    assert client.get(f"/admin/voter_verifications/edit/{mine.pk}/", **HOST).status_code == 200
    assert client.get(f"/admin/voter_verifications/edit/{theirs.pk}/", **HOST).status_code in (
        302,
        403,
    )
    assert client.get("/admin/voter_verifications/new/", **HOST).status_code in (302, 403)
    html = client.get("/admin/voting/census/", **HOST).content.decode()
    assert "창원특례시" in html and "경상남도" not in html
