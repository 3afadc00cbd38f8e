"""The committee puts a proposal to a public vote: a draft poll, linked both ways."""

import datetime
import json

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from participation.models import ProposalPage
from tests.factories import UserFactory
from tests.participation.factories import publish, submit, support, task_action
from tests.voting.factories import poll_index
from voting.models import PollIndexPage, PollPage

Stage = ProposalPage.Stage
ANSWER = "주민 의견이 크게 갈려 주민투표로 결정하겠습니다."


def mails_to(user):
    return [message for message in mail.outbox if user.email in message.to]


@pytest.fixture
def follower():
    return UserFactory()


@pytest.fixture
def proposal(client, town, citizen, follower, run_jobs):
    """A proposal under committee review, followed by one supporter."""
    with run_jobs():
        proposal = submit(client, town, citizen)
        publish(client, town, proposal)
        for user in [follower, UserFactory(), UserFactory()]:
            support(client, town, proposal, user, follow="1" if user == follower else "")
    proposal.refresh_from_db()
    assert proposal.stage == Stage.REVIEW
    mail.outbox.clear()
    return proposal


def put_to_vote(client, user, proposal, answer=ANSWER):
    return task_action(client, user, proposal, "decide", decision="put_to_vote", comment=answer)


def test_committee_puts_a_proposal_to_a_vote(client, town, citizen, follower, proposal, run_jobs):
    before = timezone.now()
    with run_jobs():
        response = put_to_vote(client, town.committee_member, proposal)

    poll = PollPage.objects.get(source_page=proposal)
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_pages:edit", args=(poll.pk,))
    # The member can open the draft to finish it.
    assert client.get(response.url).status_code == 200

    # A draft under the municipality's poll index, created under the home page.
    assert not poll.live and poll.has_unpublished_changes
    index = PollIndexPage.objects.get()
    assert index.live and index.get_parent().pk == town.site.root_page.pk
    assert poll.get_parent().pk == index.pk
    assert poll.owner == town.committee_member
    assert poll.title == f"{proposal.title}: 찬반 투표"
    [question] = poll.question_list
    assert question.text == "이 제안에 찬성하십니까?" and question.kind == "single"
    assert [option.text for option in question.options.all()] == ["찬성", "반대"]
    assert before + datetime.timedelta(days=7) <= poll.opens_at
    assert poll.opens_at < timezone.now() + datetime.timedelta(days=7, minutes=1)
    assert poll.closes_at == poll.opens_at + datetime.timedelta(days=14)
    introduction = str(poll.introduction)
    assert proposal.summary in introduction and proposal.url in introduction

    # The proposal's stage, answer and timeline; the workflow finished like other decisions.
    assert proposal.stage == Stage.PUT_TO_VOTE and proposal.answer == ANSWER
    assert proposal.closed_at is None
    assert proposal.current_workflow_state is None
    assert proposal.workflow_states.get().status == "approved"
    event = proposal.events.get(kind="put_to_vote")
    assert event.actor == town.committee_member and event.note == ANSWER and event.public

    # The author and followers were told.
    for person in (citizen, follower):
        [message] = mails_to(person)
        assert ANSWER in message.body and proposal.title in message.subject

    # Until staff publish the poll, the public sees the decision but no link to a draft.
    client.logout()
    html = client.get(proposal.url, HTTP_HOST=town.host).content.decode()
    assert "stage--put_to_vote" in html and ANSWER in html
    assert "주민투표에 부쳐졌습니다" in html and poll.title not in html
    assert poll.url not in html


def test_published_poll_and_proposal_link_each_other(client, town, proposal, run_jobs):
    with run_jobs():
        put_to_vote(client, town.committee_member, proposal)
    poll = PollPage.objects.get(source_page=proposal)
    poll.get_latest_revision().publish()
    poll.refresh_from_db()
    assert poll.live

    client.logout()
    html = client.get(proposal.url, HTTP_HOST=town.host).content.decode()
    assert f'href="{poll.url}"' in html and poll.title in html
    assert poll.opens_at.astimezone(timezone.get_current_timezone()).strftime("%Y-%m-%d") in html
    assert "#results-heading" not in html, "no results link before the close"

    html = client.get(poll.url, HTTP_HOST=town.host).content.decode()
    assert "이 투표는 시민 제안" in html
    assert f'href="{proposal.url}"' in html and proposal.title in html

    with time_machine.travel(poll.closes_at + datetime.timedelta(hours=1)):
        html = client.get(proposal.url, HTTP_HOST=town.host).content.decode()
    assert f'href="{poll.url}#results-heading"' in html


def test_an_existing_poll_index_is_reused(client, town, proposal, run_jobs):
    index = poll_index(town.site)
    with run_jobs():
        put_to_vote(client, town.committee_member, proposal)
    assert PollIndexPage.objects.count() == 1
    assert PollPage.objects.get(source_page=proposal).get_parent().pk == index.pk


def test_putting_to_a_vote_needs_the_answer(client, town, citizen, proposal, run_jobs):
    with run_jobs():
        put_to_vote(client, town.committee_member, proposal, answer="")
    assert proposal.stage == Stage.REVIEW and proposal.answer == ""
    assert not PollPage.objects.exists() and not PollIndexPage.objects.exists()
    assert not proposal.events.filter(kind="put_to_vote").exists()
    assert mails_to(citizen) == []
    assert proposal.current_workflow_state.status == "in_progress"
    # The form says why, in the member's language.
    client.force_login(town.committee_member)
    task_state = proposal.current_workflow_task_state
    url = reverse("wagtailadmin_pages:workflow_action", args=(proposal.pk, "decide", task_state.pk))
    response = client.post(
        url,
        {"decision": "put_to_vote", "comment": ""},
        headers={"x-requested-with": "XMLHttpRequest"},
    )
    assert "필수 항목입니다" in response.content.decode() or "required" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.stage == Stage.REVIEW


def test_only_committee_members_put_a_proposal_to_a_vote(client, town, citizen, proposal):
    for outsider in (town.moderator, citizen, UserFactory()):
        response = put_to_vote(client, outsider, proposal)
        assert response.status_code in (302, 403)
        assert proposal.stage == Stage.REVIEW
    assert not PollPage.objects.exists()
    assert not proposal.events.filter(kind="put_to_vote").exists()


def test_deciding_from_the_page_editor_opens_the_draft_poll(client, town, proposal, run_jobs):
    client.force_login(town.committee_member)
    edit_url = reverse("wagtailadmin_pages:edit", args=(proposal.pk,))
    form = client.get(edit_url).context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update(
        {
            "comments-TOTAL_FORMS": "0",
            "comments-INITIAL_FORMS": "0",
            "comments-MIN_NUM_FORMS": "0",
            "comments-MAX_NUM_FORMS": "1000",
            "action-workflow-action": "true",
            "workflow-action-name": "decide",
            "workflow-action-extra-data": json.dumps(
                {"decision": "put_to_vote", "comment": ANSWER}
            ),
        }
    )
    with run_jobs():
        response = client.post(edit_url, data)
    poll = PollPage.objects.get(source_page=proposal)
    assert response.status_code == 302
    assert response.url == reverse("wagtailadmin_pages:edit", args=(poll.pk,))
    html = client.get(response.url).content.decode()
    assert "투표 초안을 만들었습니다" in html
    proposal.refresh_from_db()
    assert proposal.stage == Stage.PUT_TO_VOTE
