"""Mail headers survive any title: a line break in a title stops no mail about it."""

import pytest
from django.core import mail

from cms.models import OutboxMail
from participation.models import Notification, ProposalPage
from participation.notify import notify
from tests.factories import UserFactory
from tests.participation.discussion import make_debate
from tests.participation.factories import proposal_data, setup_municipality

pytestmark = pytest.mark.django_db


def test_a_title_with_line_breaks_stops_no_mail(province, run_jobs):
    debate = make_debate(province, title="버스 노선\r\n개편\u2028찬반\x0b토론")
    moderator, follower = UserFactory(), UserFactory()
    with run_jobs():
        notify([moderator, follower], "debate_pending", debate)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(
        [moderator.email, follower.email]
    )
    for message in mail.outbox:
        assert "버스 노선 개편 찬반 토론" in message.subject
        assert not any(ord(char) < 32 for char in message.subject)
        header = message.message()["Subject"]
        assert "\n" not in str(header).replace("\n ", "")  # folded, never broken
    assert set(OutboxMail.objects.values_list("status", flat=True)) == {"sent"}
    assert Notification.objects.filter(title__contains="\n").count() == 0


def test_a_title_with_a_line_break_is_refused_at_input(client, province, citizen):
    town = setup_municipality(province)
    client.force_login(citizen)
    response = client.post(
        town.url("submit"),
        proposal_data(town, title="첫 줄\n둘째 줄"),
        HTTP_HOST=town.host,
    )
    assert response.status_code in (200, 400)
    assert "제목은 한 줄로 써 주세요" in response.content.decode()
    assert not ProposalPage.objects.filter(author=citizen).exists()


def test_one_notification_per_person_and_event(province, run_jobs):
    """The same event told twice (a retried request, a repeated job) reaches nobody twice."""
    debate = make_debate(province)
    person = UserFactory()
    with run_jobs():
        notify([person], "debate_pending", debate)
        notify([person, person], "debate_pending", debate)
    assert Notification.objects.filter(recipient=person).count() == 1
    assert len(mail.outbox) == 1
    # Repeatable kinds are told each time they happen.
    with run_jobs():
        notify([person], "debate_closed", debate, "결론 1")
        notify([person], "debate_closed", debate, "결론 2")
    assert Notification.objects.filter(recipient=person, kind="debate_closed").count() == 2
    assert len(mail.outbox) == 3
