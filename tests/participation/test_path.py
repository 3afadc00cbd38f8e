"""The proposal path end to end, as the author, a follower, the committee and the public see it."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from participation.models import Notification, ProposalPage, Support
from tests.factories import StaffFactory, UserFactory
from tests.participation.factories import publish, submit, support, task_action

Stage = ProposalPage.Stage


def mails_to(user):
    return [message for message in mail.outbox if user.email in message.to]


def page_text(client, proposal, host):
    response = client.get(proposal.url, HTTP_HOST=host)
    assert response.status_code == 200
    return response.content.decode()


def test_submit_moderate_support_adopt_and_implement(client, town, citizen, run_jobs):
    follower = UserFactory()
    quiet_supporter = UserFactory()
    supporters = [UserFactory(), quiet_supporter, UserFactory()]

    with run_jobs():
        proposal = submit(client, town, citizen)
    assert proposal.stage == Stage.MODERATION
    assert proposal.current_workflow_state.status == "in_progress"
    assert not proposal.live
    assert [m.subject for m in mails_to(citizen)] and proposal.title in mails_to(citizen)[0].subject
    # Not public yet.
    client.logout()
    assert (
        client.get(town.index.url, HTTP_HOST=town.host).content.decode().count(proposal.title) == 0
    )

    mail.outbox.clear()
    with run_jobs():
        publish(client, town, proposal)
    assert proposal.live
    assert proposal.current_workflow_state.status == "in_progress", (
        "the workflow goes on to supports"
    )
    assert proposal.support_deadline > timezone.now() + datetime.timedelta(days=29)
    assert len(mails_to(citizen)) == 1
    client.logout()
    html = page_text(client, proposal, town.host)
    assert "stage--collecting" in html and proposal.title in html
    assert proposal.title in client.get(town.index.url, HTTP_HOST=town.host).content.decode()

    client.force_login(follower)
    response = client.post(
        town.url("follow", content_type_id=proposal.content_type_id, object_id=proposal.pk),
        {"action": "follow"},
        HTTP_HOST=town.host,
    )
    assert response.status_code == 302

    mail.outbox.clear()
    with run_jobs():
        for supporter in supporters:
            extra = {} if supporter == quiet_supporter else {"follow": "1"}
            assert support(client, town, proposal, supporter, **extra).status_code == 302
    proposal.refresh_from_db()
    assert proposal.support_count == 3
    assert proposal.stage == Stage.REVIEW
    assert proposal.current_workflow_task.specific_class.__name__ == "CommitteeTask"
    assert len(mails_to(town.committee_member)) == 1
    assert len(mails_to(citizen)) == 1 and len(mails_to(follower)) == 1
    assert mails_to(quiet_supporter) == []
    assert (
        "unsubscribe" in mails_to(follower)[0].body.lower()
        or "/unsubscribe/" in mails_to(follower)[0].body
    )
    assert mails_to(follower)[0].extra_headers["List-Unsubscribe"]
    # The committee member finds it in the admin's "awaiting your review".
    client.force_login(town.committee_member)
    dashboard = client.get(reverse("wagtailadmin_home"))
    assert dashboard.status_code == 200 and proposal.title in dashboard.content.decode()

    mail.outbox.clear()
    answer = "채택합니다. 내년 예산에 그늘막 설치 비용을 반영하겠습니다."
    with run_jobs():
        response = task_action(
            client, town.committee_member, proposal, "decide", decision="adopted", comment=answer
        )
    assert response.status_code == 302
    assert proposal.stage == Stage.ADOPTED
    assert proposal.answer == answer and proposal.support_count == 3
    assert proposal.current_workflow_state is None, "the workflow is finished"
    assert proposal.workflow_states.get().status == "approved"
    for person in (citizen, follower, supporters[0]):
        # The answer, and (author and supporters) an invitation to rate it (test_satisfaction).
        told = [message for message in mails_to(person) if answer in message.body]
        assert len(told) == 1
    client.logout()
    html = page_text(client, proposal, town.host)
    assert "stage--adopted" in html and answer in html
    client.force_login(citizen)
    activity = client.get(town.url("my_activity"), HTTP_HOST=town.host).content.decode()
    assert answer in activity and "stage--adopted" in activity
    assert Notification.objects.filter(recipient=citizen, kind="answered").count() == 1

    mail.outbox.clear()
    staff = StaffFactory()
    client.force_login(staff)
    with run_jobs():
        response = client.post(
            reverse("implementationupdate:add"),
            {
                "page": proposal.pk,
                "status": "in_progress",
                "progress": "40",
                "date": "2026-03-02",
                "note": "시범 정류장 5곳에 설치했습니다.",
            },
        )
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    html = page_text(client, proposal, town.host)
    assert "시범 정류장 5곳에 설치했습니다." in html and 'value="40"' in html
    assert len(mails_to(follower)) == 1 and len(mails_to(citizen)) == 1
    kinds = list(proposal.events.values_list("kind", flat=True))
    assert kinds == [
        "submitted",
        "published",
        "threshold_reached",
        "review_started",
        "answered",
        "implementation",
    ]
    assert proposal.events.get(kind="answered").actor == town.committee_member
    assert proposal.events.get(kind="implementation").actor == staff


def test_rejection_at_moderation(client, town, citizen, run_jobs):
    with run_jobs():
        proposal = submit(client, town, citizen)
    mail.outbox.clear()
    with run_jobs():
        task_action(
            client, town.moderator, proposal, "reject", comment="개인 정보가 포함되어 있습니다."
        )
    assert proposal.stage == Stage.REJECTED
    assert not proposal.live
    assert proposal.workflow_states.get().status == "cancelled"
    [message] = mails_to(citizen)
    assert "개인 정보가 포함되어 있습니다." in message.body
    client.logout()
    assert client.get(proposal.url, HTTP_HOST=town.host).status_code == 404
    client.force_login(citizen)
    activity = client.get(town.url("my_activity"), HTTP_HOST=town.host).content.decode()
    assert "개인 정보가 포함되어 있습니다." in activity and "stage--rejected" in activity
    event = proposal.events.get(kind="rejected")
    assert event.actor == town.moderator and not event.public


def test_changes_requested_then_resubmitted(client, town, citizen, run_jobs):
    with run_jobs():
        proposal = submit(client, town, citizen)
        task_action(
            client,
            town.moderator,
            proposal,
            "request_changes",
            comment="제목을 구체적으로 써 주세요.",
        )
    assert proposal.stage == Stage.CHANGES_REQUESTED
    client.force_login(citizen)
    response = client.post(
        town.url("edit", proposal_id=proposal.pk),
        {
            "title": "창원역 버스 정류장 그늘막",
            "summary": "요약",
            "body": "본문",
            "topic": town.topic.pk,
        },
        HTTP_HOST=town.host,
    )
    assert response.status_code == 302
    with run_jobs():
        client.post(town.url("preview", proposal_id=proposal.pk), HTTP_HOST=town.host)
    proposal.refresh_from_db()
    assert proposal.stage == Stage.MODERATION
    assert proposal.current_workflow_state.status == "in_progress"
    publish(client, town, proposal)
    assert proposal.title == "창원역 버스 정류장 그늘막", "the approved revision is the edited one"


def test_lapse_at_the_end_of_the_window(client, town, citizen, run_jobs):
    follower = UserFactory()
    with run_jobs():
        proposal = submit(client, town, citizen)
        publish(client, town, proposal)
        support(client, town, proposal, follower, follow="1")
    mail.outbox.clear()
    with time_machine.travel(proposal.support_deadline + datetime.timedelta(minutes=1)):
        with run_jobs():
            html = page_text(client, proposal, town.host)  # re-checked on demand
        assert "stage--lapsed" in html
        proposal.refresh_from_db()
        assert proposal.stage == Stage.LAPSED
        assert proposal.workflow_states.get().status == "cancelled"
        assert len(mails_to(citizen)) == 1 and len(mails_to(follower)) == 1
        response = support(client, town, proposal, UserFactory())
    assert Support.objects.filter(proposal=proposal).count() == 1
    assert response.status_code == 302


def test_deadline_command_processes_due_proposals(client, town, citizen, run_jobs):
    with run_jobs():
        proposal = submit(client, town, citizen)
        publish(client, town, proposal)
    from io import StringIO

    with time_machine.travel(proposal.support_deadline + datetime.timedelta(hours=1)):
        out = StringIO()
        with run_jobs():
            call_command("process_proposal_deadlines", stdout=out)
    assert "1 proposal" in out.getvalue()
    proposal.refresh_from_db()
    assert proposal.stage == Stage.LAPSED


def test_withdrawal(client, town, citizen, run_jobs):
    follower = UserFactory()
    with run_jobs():
        proposal = submit(client, town, citizen)
        publish(client, town, proposal)
        support(client, town, proposal, follower, follow="1")
    mail.outbox.clear()
    client.force_login(citizen)
    with run_jobs():
        response = client.post(
            town.url("withdraw", proposal_id=proposal.pk),
            {"reason": "duplicate", "note": ""},
            HTTP_HOST=town.host,
        )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.stage == Stage.WITHDRAWN
    assert proposal.workflow_states.get().status == "cancelled"
    assert len(mails_to(follower)) == 1 and mails_to(citizen) == []
    client.logout()
    html = page_text(client, proposal, town.host)
    assert "stage--withdrawn" in html
    client.force_login(UserFactory())
    response = support(client, town, proposal, UserFactory())
    assert Support.objects.filter(proposal=proposal).count() == 1


def test_withdrawal_needs_a_reason(client, town, citizen, run_jobs):
    with run_jobs():
        proposal = submit(client, town, citizen)
    client.force_login(citizen)
    response = client.post(
        town.url("withdraw", proposal_id=proposal.pk), {"reason": "other"}, HTTP_HOST=town.host
    )
    assert response.status_code == 200
    assert response.context["form"].errors["note"]
    proposal.refresh_from_db()
    assert proposal.stage == Stage.MODERATION


@pytest.mark.parametrize("decision", ["rejected_by_committee", "partly_adopted"])
def test_committee_rejection_and_partial_adoption(client, town, citizen, run_jobs, decision):
    follower = UserFactory()
    with run_jobs():
        proposal = submit(client, town, citizen)
        publish(client, town, proposal)
        for user in [follower, UserFactory(), UserFactory()]:
            support(client, town, proposal, user, follow="1")
    proposal.refresh_from_db()
    assert proposal.stage == Stage.REVIEW
    mail.outbox.clear()
    answer = "예산 사정상 올해는 어렵습니다."
    with run_jobs():
        task_action(
            client, town.committee_member, proposal, "decide", decision=decision, comment=answer
        )
    assert proposal.stage == decision
    assert answer in mails_to(citizen)[0].body and answer in mails_to(follower)[0].body
    client.logout()
    html = page_text(client, proposal, town.host)
    assert f"stage--{decision}" in html and answer in html


def test_decision_without_an_answer_changes_nothing(client, town, citizen, run_jobs):
    with run_jobs():
        proposal = submit(client, town, citizen)
        publish(client, town, proposal)
        for _ in range(3):
            support(client, town, proposal, UserFactory())
    task_action(client, town.committee_member, proposal, "decide", decision="adopted", comment="")
    assert proposal.stage == Stage.REVIEW
