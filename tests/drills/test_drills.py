"""Fault drills on the real stack: Redis down under writes, a worker killed mid-send, requeues.

Each drill counts the mails the recipients actually received (files a separate worker
process wrote) against the mails the events owed them: zero lost, zero duplicated. Each
also shows that the count catches a lost and a duplicated mail.
"""

import datetime
import io
import shutil
from collections import Counter

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from rq.registry import FailedJobRegistry, FinishedJobRegistry
from wagtail.models import Site

from bench.mailbox import check, delivered
from cms.jobs import get_queue
from cms.models import OutboxMail
from cms.settings import base as base_settings
from participation import workflow
from participation.models import (
    Comment,
    DiscussionSettings,
    Follow,
    Notification,
    ProposalPage,
)
from tests.factories import PASSWORD, UserFactory, make_municipality
from tests.participation.factories import ensure_page_tree, publish, setup_municipality, submit

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def town(stack):
    ensure_page_tree()
    Site.objects.filter(hostname="localhost").delete()
    site = make_municipality("gyeongnam.test", "경상남도", kind="province", default=True)
    config = DiscussionSettings.for_site(site)
    config.writes_per_minute = config.new_account_writes_per_minute = 100
    config.save()
    return setup_municipality(site)


@pytest.fixture
def published(stack, town, client):
    """A published proposal; the mails of getting there delivered and cleared away."""
    author = UserFactory(display_name="제안자")
    proposal = publish(client, town, submit(client, town, author))
    stack.run_worker()
    stack.wipe_mailbox()
    return proposal


def assert_exact(stack, expected):
    lost, duplicated = check(expected, stack.mailbox)
    assert not lost, f"lost: {dict(lost)}"
    assert not duplicated, f"duplicated: {dict(duplicated)}"


def assert_checker_catches_loss_and_duplicates(stack, expected):
    """The count is not blind: one mail removed is lost, one copied is a duplicate."""
    mails = sorted(stack.mailbox.glob("*.eml"))
    shutil.copy(mails[0], stack.mailbox / "copy.eml")
    lost, duplicated = check(expected, stack.mailbox)
    assert not lost and sum(duplicated.values()) == 1
    (stack.mailbox / "copy.eml").unlink()
    mails[0].unlink()
    lost, duplicated = check(expected, stack.mailbox)
    assert sum(lost.values()) == 1 and not duplicated


def sweep(stack, after_seconds=0):
    """The sweeper, `after_seconds` from now (a dead worker's lease expires with time)."""
    moment = timezone.now() + datetime.timedelta(seconds=after_seconds)
    with time_machine.travel(moment, tick=True):
        call_command("send_pending_mail", "--stale", "0", stdout=io.StringIO())


def test_redis_down_under_writes(stack, town, published, client, settings):
    proposal = published
    author = proposal.author
    comment_url = proposal.url + proposal.reverse_subpage("comment_post")
    host = {"HTTP_HOST": town.host}
    commenters = [UserFactory() for _ in range(3)]
    proposer = UserFactory()

    # The deployment's sign-in limits, which lock through the cache.
    settings.ACCOUNT_RATE_LIMITS = base_settings.ACCOUNT_RATE_LIMITS
    stack.redis.stop()
    responses = []
    assert client.get("/healthz").status_code == 503
    login = client.post("/accounts/login/", {"login": author.email, "password": PASSWORD}, **host)
    assert login.status_code == 302 and "_auth_user_id" in client.session
    responses.append(client.get("/", **host))
    responses.append(client.get(proposal.url, **host))
    # New accounts: each is owed a confirmation mail.
    for n in range(3):
        client.logout()
        responses.append(
            client.post(
                "/accounts/signup/",
                {
                    "email": f"newcomer{n}@example.com",
                    "display_name": f"새내기{n}",
                    "password1": "a-long-enough-pass-77",
                    "password2": "a-long-enough-pass-77",
                    "consent_privacy": "on",
                    "consent_terms": "on",
                },
                **host,
            )
        )
    # A proposal submitted: its author and the moderator are told.
    submit(client, town, proposer, title="도서관 운영 시간을 늘려 주세요")
    # Comments on the published proposal: its author is told of each.
    for commenter in commenters:
        client.force_login(commenter)
        responses.append(client.post(comment_url, {"body": "좋은 제안입니다."}, **host))
    client.logout()
    responses.append(client.post("/accounts/password/reset/", {"email": author.email}, **host))

    assert [r.status_code for r in responses if r.status_code >= 400] == []
    assert Comment.objects.filter(page=proposal).count() == 3
    assert ProposalPage.objects.filter(author=proposer, stage="moderation").count() == 1
    assert Notification.objects.filter(recipient=author, kind="comment").count() == 3
    expected = Counter(
        {
            **{f"newcomer{n}@example.com": 1 for n in range(3)},
            proposer.email: 1,
            town.moderator.email: 1,
            author.email: 3 + 1,
        }
    )
    assert OutboxMail.objects.filter(status="pending").count() == sum(expected.values())

    stack.redis.start()
    stack.run_worker()
    # Redis lost the jobs (they never reached it): without the sweeper, nothing arrives.
    assert delivered(stack.mailbox)[0] == Counter()
    sweep(stack)
    stack.run_worker()
    assert_exact(stack, expected)
    assert set(OutboxMail.objects.values_list("status", flat=True)) == {"sent"}
    assert_checker_catches_loss_and_duplicates(stack, expected)


def test_redis_down_the_sweeper_sends_itself(stack, town, published, client):
    """With Redis still down, the sweeper (a system cron) sends what waits."""
    followers = [UserFactory() for _ in range(5)]
    for user in followers:
        Follow.follow(user, published)
    stack.redis.stop()
    workflow.withdraw(published, published.author, ProposalPage.WithdrawalReason.OTHER, "중복")
    sweep(stack)
    expected = Counter({user.email: 1 for user in followers})
    assert_exact(stack, expected)
    stack.redis.start()
    sweep(stack, after_seconds=settings.OUTBOX_LEASE_SECONDS + 5)
    stack.run_worker()
    assert_exact(stack, expected)


def test_worker_killed_mid_send(stack, town, published):
    followers = [UserFactory() for _ in range(40)]
    for user in followers:
        Follow.follow(user, published)
    victim = followers[14]
    (stack.mailbox / f"hang-{victim.email}").touch()
    workflow.withdraw(published, published.author, ProposalPage.WithdrawalReason.OTHER, "중복")
    expected = Counter({user.email: 1 for user in followers})
    assert Notification.objects.filter(kind="withdrawn").count() == 40

    worker = stack.start_worker(burst=False, delay=0.01)
    stack.wait_for("hanging")
    stack.kill(worker)
    (stack.mailbox / f"hang-{victim.email}").unlink()
    assert delivered(stack.mailbox)[0] == Counter({user.email: 1 for user in followers[:14]})
    assert OutboxMail.objects.get(status="sending").params == {
        "notification_id": Notification.objects.get(recipient=victim, kind="withdrawn").pk
    }

    # A new worker sends what was still queued; the killed send waits for its lease.
    stack.run_worker()
    lost, duplicated = check(expected, stack.mailbox)
    assert lost == Counter({victim.email: 1}) and not duplicated
    sweep(stack)  # the lease still holds: nothing is sent twice
    stack.run_worker()
    assert check(expected, stack.mailbox)[0] == Counter({victim.email: 1})
    sweep(stack, after_seconds=settings.OUTBOX_LEASE_SECONDS + 5)
    stack.run_worker()
    assert_exact(stack, expected)
    assert_checker_catches_loss_and_duplicates(stack, expected)


def _requeue_everything(queue):
    """What the dashboard's requeue buttons do, for every finished and failed job."""
    requeued = 0
    for registry in (FinishedJobRegistry(queue=queue), FailedJobRegistry(queue=queue)):
        for job_id in registry.get_job_ids():
            registry.requeue(job_id)
            requeued += 1
    return requeued


def test_requeued_jobs_send_nothing_twice(stack, town, published):
    followers = [UserFactory() for _ in range(12)]
    for user in followers:
        Follow.follow(user, published)
    refused = followers[5]
    (stack.mailbox / f"fail-{refused.email}").touch()
    workflow.withdraw(published, published.author, ProposalPage.WithdrawalReason.OTHER, "중복")
    expected = Counter({user.email: 1 for user in followers})
    stack.run_worker()
    queue = get_queue("mail")
    assert FailedJobRegistry(queue=queue).count == 1  # after rq's retries
    assert check(expected, stack.mailbox) == (Counter({refused.email: 1}), Counter())
    row = OutboxMail.objects.get(status="pending")
    assert row.attempts == 4 and row.last_error == "ConnectionRefusedError"

    # The mail server takes it again; staff requeue every finished and failed job.
    (stack.mailbox / f"fail-{refused.email}").unlink()
    assert _requeue_everything(queue) >= 12
    stack.run_worker()
    assert_exact(stack, expected)
    # And once more, everything: nothing is sent twice.
    assert _requeue_everything(queue) >= 12
    stack.run_worker()
    sweep(stack, after_seconds=settings.OUTBOX_LEASE_SECONDS + 5)
    stack.run_worker()
    assert_exact(stack, expected)
    assert_checker_catches_loss_and_duplicates(stack, expected)
