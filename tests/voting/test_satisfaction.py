"""After a poll's result is published, its voters are invited to rate it, once; the rating
knows that they voted (Participation) and never how."""

import datetime

import pytest
import time_machine
from django.core import mail

from participation.models import Notification, SatisfactionInvitation, SatisfactionRating
from tests.factories import UserFactory
from tests.voting.test_results import cast_many
from voting import secrecy

pytestmark = pytest.mark.django_db
HOST = {"HTTP_HOST": "changwon.test"}


def test_voters_are_invited_once_when_the_result_is_out(client, poll, city, run_jobs):
    cast_many(poll, city, [[(0, 0, None)], [(0, 1, None)]])
    voters = list(UserFactory._meta.model.objects.filter(participations__contest=poll))
    bystander = UserFactory()
    assert len(voters) == 2
    mail.outbox.clear()
    with time_machine.travel(poll.closes_at + datetime.timedelta(hours=1)):
        with run_jobs():
            secrecy.open_contest(poll)
        with run_jobs():
            secrecy.open_contest(poll)  # opened already: nothing happens again
            secrecy.open_due()
    rate_url = f"/satisfaction/rate/{poll.pk}/"
    for voter in voters:
        mails = [m for m in mail.outbox if voter.email in m.to and rate_url in m.body]
        assert len(mails) == 1
        assert Notification.objects.filter(recipient=voter, kind="satisfaction").count() == 1
    assert not any(bystander.email in m.to for m in mail.outbox)
    assert SatisfactionInvitation.objects.filter(subject=poll).count() == 2

    client.force_login(voters[0])
    response = client.post(rate_url, {"answer_score": "3", "process_score": "5"}, **HOST)
    assert response.status_code == 302
    rating = SatisfactionRating.objects.get()
    # What a rating holds: the poll, the person and their scores; nothing of their ballot.
    fields = {f.name for f in SatisfactionRating._meta.get_fields()}
    assert fields == {
        "id",
        "subject",
        "user",
        "answer_score",
        "process_score",
        "comment",
        "created_at",
    }
    assert (rating.subject_id, rating.user_id) == (poll.pk, voters[0].pk)
