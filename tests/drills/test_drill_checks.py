"""The checks of bench/drills.py are not blind: each catches a lost and a duplicated row or mail.

Every check is fed what the city's rows say after real writes (the model methods and views
the site uses), then after a row or a mail is taken away or added: it must count one lost
or one duplicated, and nothing else.
"""

import shutil
import uuid
from collections import Counter

import pytest
from django.core.cache import cache
from django.test import Client

from bench.drills import (
    comments_by,
    comments_owing_mail,
    comments_told,
    count_check,
    envelopes,
    exactly_once,
    mailed_addresses,
    mailed_comments,
    supporters,
    voters,
)
from bench.loadtest import counter_mismatches
from cms.mail import send_outbox_mail
from cms.models import OutboxMail
from participation.models import Comment, Notification, ProposalPage, Support
from participation.notify import notify
from tests.factories import UserFactory
from tests.participation.factories import publish, setup_municipality, submit
from tests.voting.factories import make_poll, verify
from voting import secrecy
from voting.models import SealedEnvelope

pytestmark = pytest.mark.django_db


def totals(lost_duplicated):
    lost, duplicated = lost_duplicated
    if isinstance(lost, Counter):
        return sum(lost.values()), sum(duplicated.values())
    return lost, duplicated


@pytest.fixture(autouse=True)
def _forget_cached_site_paths():
    """Wagtail caches site root paths: none from an earlier test, none left to a later one."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def town(province):
    return setup_municipality(province)


@pytest.fixture
def proposal(town, citizen):
    client = Client()
    return publish(client, town, submit(client, town, citizen))


@pytest.fixture
def mailbox(settings, tmp_path):
    settings.EMAIL_BACKEND = "bench.mailbox.DirectoryBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    return tmp_path


def send_outbox():
    """What the mail worker does with every waiting outbox row."""
    for pk in OutboxMail.objects.filter(status="pending").values_list("pk", flat=True):
        send_outbox_mail(pk)


def test_the_burst_check_catches_a_lost_and_an_extra_support(proposal):
    people = [UserFactory() for _ in range(5)]
    for person in people:
        assert Support.give(proposal, person)
    succeeded = [person.pk for person in people]
    ids = [*succeeded, UserFactory().pk]
    assert totals(exactly_once(succeeded, supporters(proposal.pk, ids))) == (0, 0)
    assert sum(counter_mismatches().values()) == 0

    Support.objects.filter(proposal=proposal, user=people[0]).delete()
    assert totals(exactly_once(succeeded, supporters(proposal.pk, ids))) == (1, 0)
    assert counter_mismatches()["proposal support_count"] == 1

    # A support whose request did not answer a success: one row too many.
    Support.objects.create(proposal=proposal, user_id=people[0].pk)
    Support.objects.create(proposal=proposal, user_id=ids[-1])
    assert totals(exactly_once(succeeded, supporters(proposal.pk, ids))) == (0, 1)
    assert counter_mismatches()["proposal support_count"] == 1


def test_the_vote_checks_catch_a_lost_vote_and_a_lost_or_extra_envelope(city):
    poll = make_poll(city)
    people = [UserFactory() for _ in range(4)]
    for person in people:
        verify(person, city)
        secrecy.cast(poll, "", person, {"answers": []})
    succeeded = [person.pk for person in people]
    voted = voters(poll.pk, succeeded)
    assert totals(exactly_once(succeeded, voted)) == (0, 0)
    assert totals(count_check(len(voted), envelopes(poll.pk), len(voted))) == (0, 0)

    # An envelope lost (a vote half-written): the vote has no ballot.
    SealedEnvelope.objects.filter(box__contest_id=poll.pk).first().delete()
    assert totals(count_check(len(voted), envelopes(poll.pk), len(voted))) == (1, 0)
    assert counter_mismatches()["participations = ballots per poll"] == 1

    # A participation lost, and an extra envelope (a ballot counted twice).
    poll.participations.filter(user=people[1]).delete()
    voted = voters(poll.pk, succeeded)
    assert totals(exactly_once(succeeded, voted)) == (1, 0)
    envelope = SealedEnvelope.objects.filter(box__contest_id=poll.pk).first()
    envelope.pk, envelope.receipt_hash = uuid.uuid4(), "0" * 64
    envelope.save(force_insert=True)
    assert totals(count_check(len(voted), envelopes(poll.pk), len(voted))) == (0, 1)


def test_the_write_load_check_catches_a_lost_and_a_doubled_comment(town, proposal):
    url = proposal.url + proposal.reverse_subpage("comment_post")
    people = [UserFactory() for _ in range(3)]
    client = Client()
    for person in people:
        client.force_login(person)
        response = client.post(url, {"body": "훈련 의견입니다."}, HTTP_HOST=town.host)
        assert response.status_code == 302
    ids = [person.pk for person in people]
    ok = attempted = 3
    assert count_check(ok, comments_by(proposal.pk, ids), attempted) == (0, 0)

    # The same comment written twice for one request.
    Comment.post(proposal, people[0], "훈련 의견입니다.")
    assert count_check(ok, comments_by(proposal.pk, ids), attempted) == (0, 1)
    Comment.objects.filter(page_id=proposal.pk, author__in=people[:2]).delete()
    assert count_check(ok, comments_by(proposal.pk, ids), attempted) == (2, 0)


def test_the_comment_checks_catch_an_untold_comment_and_a_lost_or_doubled_mail(
    town, proposal, mailbox
):
    before = Comment.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    url = proposal.url + proposal.reverse_subpage("comment_post")
    client = Client()
    for _ in range(3):
        client.force_login(UserFactory())
        client.post(url, {"body": "메일이 가야 하는 의견"}, HTTP_HOST=town.host)
    owed = comments_owing_mail(proposal, before)
    assert len(owed) == 3
    assert totals(exactly_once(owed, comments_told(owed))) == (0, 0)
    send_outbox()
    assert totals(exactly_once(owed, mailed_comments(mailbox, owed))) == (0, 0)

    mails = [path for path in sorted(mailbox.glob("*.eml")) if b"#comment-" in path.read_bytes()]
    shutil.copy(mails[0], mailbox / "again.eml")
    assert totals(exactly_once(owed, mailed_comments(mailbox, owed))) == (0, 1)
    mails[1].unlink()
    (mailbox / "again.eml").unlink()
    assert totals(exactly_once(owed, mailed_comments(mailbox, owed))) == (1, 0)

    # A comment committed without its notification (half-written).
    Notification.objects.filter(kind="comment", object_id=owed[0]).delete()
    assert totals(exactly_once(owed, comments_told(owed))) == (1, 0)


def test_the_batch_check_catches_a_lost_and_a_doubled_mail(proposal, mailbox):
    followers = [UserFactory() for _ in range(6)]
    notify(followers, "implementation", proposal, note="훈련 drill-token-1")
    notify(followers[:1], "implementation", proposal, note="다른 소식")
    send_outbox()
    owed = [user.email for user in followers]
    delivered = mailed_addresses(mailbox, "drill-token-1")
    assert totals(exactly_once(owed, delivered)) == (0, 0)

    mails = [
        path for path in sorted(mailbox.glob("*.eml")) if b"drill-token-1" in path.read_bytes()
    ]
    shutil.copy(mails[2], mailbox / "again.eml")
    assert totals(exactly_once(owed, mailed_addresses(mailbox, "drill-token-1"))) == (0, 1)
    mails[3].unlink()
    (mailbox / "again.eml").unlink()
    lost, duplicated = exactly_once(owed, mailed_addresses(mailbox, "drill-token-1"))
    assert sum(lost.values()) == 1 and not duplicated


def test_counter_check_catches_a_proposal_counter_off_its_rows(proposal):
    Support.give(proposal, UserFactory())
    assert counter_mismatches()["proposal support_count"] == 0
    ProposalPage.objects.filter(pk=proposal.pk).update(support_count=2)
    assert counter_mismatches()["proposal support_count"] == 1
