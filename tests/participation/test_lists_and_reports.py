"""The index (filters, sorts, search, pages, fixed queries), live blocks, reports, moderation."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from participation.blocks import AwaitingAnswerBlock, LatestProposalsBlock
from participation.models import (
    Area,
    ModerationAction,
    ParticipationSettings,
    ProposalPage,
    Report,
    Support,
    Topic,
    UserBlock,
)
from tests.factories import UserFactory
from tests.participation.factories import publish, submit

Stage = ProposalPage.Stage


def make_live(town, n, **state):
    """n published proposals, created directly (the path itself is tested elsewhere)."""
    author = UserFactory()
    proposals = []
    now = timezone.now()
    for i in range(n):
        proposal = ProposalPage(
            title=f"제안 {i:03d}",
            summary=f"요약 {i}",
            body="<p>본문</p>",
            topic=town.topic,
            author=author,
            stage=Stage.COLLECTING,
            published_at=now - datetime.timedelta(hours=i),
            support_deadline=now + datetime.timedelta(days=30 - i % 20),
            support_count=i,
            support_threshold=100,
            **state,
        )
        town.index.add_child(instance=proposal)
        proposals.append(proposal)
    return proposals


def test_index_uses_a_fixed_number_of_queries(client, town, django_assert_max_num_queries):
    make_live(town, 5)
    client.get(town.index.url, HTTP_HOST=town.host)
    with django_assert_max_num_queries(40) as few:
        client.get(town.index.url, HTTP_HOST=town.host)
    baseline = len(few.captured_queries)  # now: the query log rotates as pages are made
    make_live(town, 40)
    client.get(town.index.url + "?sort=supported&page=2", HTTP_HOST=town.host)  # refill caches
    with django_assert_max_num_queries(baseline):
        response = client.get(town.index.url + "?sort=supported&page=2", HTTP_HOST=town.host)
    assert response.status_code == 200
    assert len(response.context["proposals"]) == 12


def test_filters_sorts_and_search(client, town):
    proposals = make_live(town, 15)
    other_topic = Topic.objects.create(site=town.site, name="환경")
    area = Area.objects.create(site=town.site, name="의창구")
    ProposalPage.objects.filter(pk=proposals[3].pk).update(topic=other_topic, area=area)
    ProposalPage.objects.filter(pk=proposals[4].pk).update(
        stage=Stage.ADOPTED, answered_at=timezone.now(), answer="채택"
    )

    def titles(query):
        response = client.get(town.index.url + query, HTTP_HOST=town.host)
        assert response.status_code == 200
        return [p.title for p in response.context["proposals"]]

    assert titles("?sort=supported")[0] == "제안 014"
    assert titles("?sort=newest")[0] == "제안 000"
    assert titles(f"?topic={other_topic.pk}") == ["제안 003"]
    assert titles(f"?area={area.pk}") == ["제안 003"]
    assert titles("?stage=adopted") == ["제안 004"]
    assert titles("?sort=answered") == ["제안 004"]
    assert titles("?q=제안 01") == [f"제안 01{i}" for i in range(5)]
    assert "제안 004" not in titles("?sort=closing")
    # Nonsense is ignored, never a 500.
    assert len(titles("?stage=zzz&topic=abc&sort=evil&page=999")) > 0


def test_hidden_and_unpublished_proposals_are_not_listed(client, town):
    shown, hidden = make_live(town, 2)
    ProposalPage.objects.filter(pk=hidden.pk).update(hidden=True)
    response = client.get(town.index.url, HTTP_HOST=town.host)
    listed = [p.pk for p in response.context["proposals"]]
    assert listed == [shown.pk]
    assert client.get(hidden.url, HTTP_HOST=town.host).status_code == 404


def test_live_blocks_show_this_sites_proposals(rf, town, city_town):
    mine = make_live(town, 3)
    make_live(city_town, 2)
    ProposalPage.objects.filter(pk=mine[1].pk).update(stage=Stage.REVIEW)
    request = rf.get("/", HTTP_HOST=town.host)
    html = LatestProposalsBlock().render(
        LatestProposalsBlock().to_python({"count": 10}), {"request": request}
    )
    assert html.count("proposal-card__title") == 3
    block = AwaitingAnswerBlock()
    html = block.render(block.to_python({"count": 4}), {"request": request})
    assert "제안 001" in html and html.count("proposal-card__title") == 1


def test_enough_reports_hide_until_a_moderator_restores(client, town, citizen):
    proposal = submit(client, town, citizen)
    publish(client, town, proposal)
    url = town.url("report", content_type_id=proposal.content_type_id, object_id=proposal.pk)
    for _ in range(ParticipationSettings.for_site(town.site).reports_to_hide):
        client.force_login(UserFactory())
        client.post(url, {"reason": "offensive"}, HTTP_HOST=town.host)
    proposal.refresh_from_db()
    assert proposal.hidden
    client.logout()
    assert client.get(proposal.url, HTTP_HOST=town.host).status_code == 404
    assert ModerationAction.objects.filter(action="hide", actor=None).exists()

    client.force_login(town.moderator)
    queue = client.get(reverse("participation_moderation_queue"))
    assert queue.status_code == 200 and proposal.title in queue.content.decode()
    act = reverse("participation_moderation_act", args=(proposal.content_type_id, proposal.pk))
    response = client.post(act, {"action": "restore", "reason": ""})
    proposal.refresh_from_db()
    assert proposal.hidden, "a reason is required"
    client.post(act, {"action": "restore", "reason": "비판이지만 욕설은 아님"})
    proposal.refresh_from_db()
    assert not proposal.hidden
    assert not Report.objects.filter(status="open").exists()
    log = ModerationAction.objects.get(action="restore")
    assert log.actor == town.moderator and log.reason == "비판이지만 욕설은 아님"
    assert response.status_code == 302


def test_moderators_hide_and_block_only_on_their_site(client, town, city_town, citizen):
    proposal = submit(client, city_town, citizen)
    publish(client, city_town, proposal)
    client.force_login(UserFactory())
    client.post(
        city_town.url("report", content_type_id=proposal.content_type_id, object_id=proposal.pk),
        {"reason": "spam"},
        HTTP_HOST=city_town.host,
    )
    act = reverse("participation_moderation_act", args=(proposal.content_type_id, proposal.pk))
    client.force_login(town.moderator)
    assert (
        proposal.title not in client.get(reverse("participation_moderation_queue")).content.decode()
    )
    response = client.post(act, {"action": "hide", "reason": "x"})
    assert response.status_code in (302, 403)
    proposal.refresh_from_db()
    assert not proposal.hidden
    client.force_login(city_town.moderator)
    client.post(act, {"action": "block", "reason": "광고 반복 게시"})
    block = UserBlock.objects.get(user=citizen)
    assert block.site == city_town.site and block.blocked_by == city_town.moderator
    client.post(act, {"action": "hide", "reason": "광고"})
    proposal.refresh_from_db()
    assert proposal.hidden
    citizen_client = client
    citizen_client.force_login(citizen)
    citizen_client.post(
        city_town.url("support", proposal_id=proposal.pk),
        {"action": "support"},
        HTTP_HOST=city_town.host,
    )
    assert not Support.objects.exists()


def test_a_citizen_cannot_open_the_moderation_queue(client, town, citizen):
    client.force_login(citizen)
    assert client.get(reverse("participation_moderation_queue")).status_code in (302, 403)


@pytest.mark.parametrize("language", ["ko", "en"])
def test_unsubscribe_link_stops_emails(client, town, citizen, run_jobs, language):
    from django.core import mail

    from participation.notify import unsubscribe_url

    url = unsubscribe_url(citizen, town.index)
    path = url.split(town.host, 1)[1]
    assert client.get(path, HTTP_HOST=town.host).status_code == 200
    client.post(path, HTTP_HOST=town.host)
    assert client.get(path[:-4] + "00/", HTTP_HOST=town.host).status_code == 404
    with run_jobs():
        submit(client, town, citizen)
    assert [m for m in mail.outbox if citizen.email in m.to] == []
    client.force_login(citizen)
    activity = client.get(town.url("my_activity"), HTTP_HOST=town.host).content.decode()
    assert "버스 정류장에 그늘막을" in activity, "the in-site notification still arrives"
