"""Issue 14 under real parallel connections (PostgreSQL, and Redis when REDIS_URL is set):
each state change happens once, limits hold, and races end in answers, never in 500s."""

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from cms.models import User
from participation.models import (
    Comment,
    DebatePage,
    DiscussionSettings,
    Follow,
    ModerationAction,
    Notification,
    ParticipationSettings,
    ProposalEvent,
    ProposalPage,
)
from tests.factories import UserFactory
from tests.participation.discussion import make_debate
from tests.participation.factories import proposal_data, publish, setup_municipality, submit
from tests.participation.test_concurrency import _in_parallel, _province

pytestmark = [
    pytest.mark.skipif(
        connection.vendor == "sqlite",
        reason="SQLite serialises writers; run with DATABASE_URL=postgres://... (CI does)",
    ),
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture(autouse=True)
def _fresh_limits():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def _post(user, url, data=None, host="concurrency.test"):
    def job():
        client = Client()
        client.force_login(user)
        return client.post(url, data or {}, HTTP_HOST=host).status_code

    return job


def _run_queued_jobs():
    """With Redis, notifications wait for a worker: run one in burst mode, as deployed."""
    from django.conf import settings

    if settings.REDIS_URL:
        from rq import SimpleWorker

        from cms.jobs import get_queue

        queues = [get_queue(name) for name in settings.RQ_QUEUES]
        SimpleWorker(queues, connection=queues[0].connection).work(burst=True)


def _old_citizen():
    return UserFactory(date_joined=timezone.now() - datetime.timedelta(days=30))


def test_ten_withdrawals_at_once_withdraw_once_and_notify_once():
    town = setup_municipality(_province())
    author = UserFactory()
    proposal = submit(Client(), town, author)
    publish(Client(), town, proposal)
    followers = [UserFactory() for _ in range(3)]
    for follower in followers:
        Follow.follow(follower, proposal)
    url = town.url("withdraw", proposal_id=proposal.pk)
    data = {"reason": "duplicate", "note": "비슷한 제안이 있습니다"}

    statuses = _in_parallel([_post(author, url, data) for _ in range(10)])
    _run_queued_jobs()

    assert statuses == [302] * 10
    assert ProposalEvent.objects.filter(proposal=proposal, kind="withdrawn").count() == 1
    for follower in followers:
        assert Notification.objects.filter(recipient=follower, kind="withdrawn").count() == 1


def test_simultaneous_reports_hide_once():
    town = setup_municipality(_province())
    proposal = submit(Client(), town, UserFactory())
    publish(Client(), town, proposal)
    config = ParticipationSettings.for_site(town.site)
    config.reports_to_hide = 3
    config.save()
    url = town.url("report", content_type_id=proposal.content_type_id, object_id=proposal.pk)

    statuses = _in_parallel([_post(UserFactory(), url, {"reason": "spam"}) for _ in range(10)])

    assert statuses == [302] * 10
    proposal.refresh_from_db()
    assert proposal.hidden
    assert ModerationAction.objects.filter(action="hide").count() == 1
    assert ProposalEvent.objects.filter(proposal=proposal, kind="hidden").count() == 1


def test_racing_comments_cannot_pass_the_limit():
    site = _province()
    debate = make_debate(site)
    config = DiscussionSettings.for_site(site)
    config.writes_per_minute = 5
    config.save()
    writer = _old_citizen()
    url = debate.url + "comments/post/"

    statuses = _in_parallel([_post(writer, url, {"body": f"의견 {n}"}) for n in range(14)])

    assert sorted(statuses) == [302] * 5 + [429] * 9
    assert Comment.objects.filter(author=writer).count() == 5


def test_racing_debates_cannot_pass_the_limit():
    site = _province()
    index = make_debate(site).get_parent()
    config = DiscussionSettings.for_site(site)
    config.writes_per_minute = 5
    config.save()
    writer = _old_citizen()
    url = index.url + "start/"
    jobs = [_post(writer, url, {"title": f"토론 {n}", "summary": "요약"}) for n in range(14)]

    statuses = _in_parallel(jobs)

    assert sorted(statuses) == [302] * 5 + [429] * 9
    assert DebatePage.objects.filter(author=writer).count() == 5


def test_racing_proposal_drafts_are_limited_and_never_fail(settings):
    settings.PARTICIPATION_RATE_LIMITS = {"proposal": (5, 5, 3600)}
    town = setup_municipality(_province())
    writer = _old_citizen()
    data = proposal_data(town)  # the same text: a double-clicked form

    statuses = _in_parallel([_post(writer, town.url("submit"), data) for _ in range(12)])

    assert sorted(statuses) == [302] * 5 + [429] * 7
    drafts = ProposalPage.objects.filter(author=writer)
    assert drafts.count() == 5
    assert len(set(drafts.values_list("slug", flat=True))) == 5


def test_a_double_submitted_draft_is_submitted_once():
    town = setup_municipality(_province())
    author = UserFactory()
    client = Client()
    client.force_login(author)
    client.post(town.url("submit"), proposal_data(town), HTTP_HOST=town.host)
    draft = ProposalPage.objects.get(author=author)
    url = town.url("preview", proposal_id=draft.pk)

    statuses = _in_parallel([_post(author, url) for _ in range(8)])
    _run_queued_jobs()

    assert statuses == [302] * 8
    assert ProposalEvent.objects.filter(proposal=draft, kind="submitted").count() == 1
    assert Notification.objects.filter(recipient=town.moderator).count() == 1
    draft.refresh_from_db()
    assert draft.stage == ProposalPage.Stage.MODERATION


def test_simultaneous_sign_ups_with_one_address_make_one_account():
    _province()
    data = {
        "email": "same@example.com",
        "password1": "a-long-pass-2026!",
        "password2": "a-long-pass-2026!",
        "display_name": "동시가입",
        "consent_privacy": "on",
        "consent_terms": "on",
    }

    def job():
        return Client().post("/accounts/signup/", data, HTTP_HOST="concurrency.test").status_code

    statuses = _in_parallel([job for _ in range(14)])

    assert all(status in (200, 302) for status in statuses), statuses
    assert User.objects.filter(email="same@example.com").count() == 1


def test_closing_a_debate_twice_at_once_announces_it_once():
    town = setup_municipality(_province())
    author = UserFactory()
    debate = make_debate(town.site, author=author)
    moderators = [town.moderator, UserFactory()]
    moderators[1].groups.add(town.moderators)
    jobs = [
        _post(moderators[n % 2], debate.url + "close/", {"conclusion": f"결론 {n}"})
        for n in range(8)
    ]

    statuses = _in_parallel(jobs)
    _run_queued_jobs()

    assert statuses == [302] * 8
    assert Notification.objects.filter(recipient=author, kind="debate_closed").count() == 1
    debate.refresh_from_db()
    assert debate.closed_at and debate.conclusion.startswith("결론 ")
