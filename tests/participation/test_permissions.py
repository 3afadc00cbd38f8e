"""Who may act: citizens, moderators of one municipality, committee members, blocked users."""

import pytest
from django.urls import reverse

from participation.models import ProposalPage, Support, UserBlock
from tests.factories import UserFactory
from tests.participation.factories import publish, submit, support, task_action

Stage = ProposalPage.Stage


def test_a_citizen_cannot_reach_the_admin_or_act_on_tasks(client, town, citizen):
    proposal = submit(client, town, citizen)
    client.force_login(citizen)
    assert client.get(reverse("wagtailadmin_home")).status_code in (302, 403)
    response = task_action(client, citizen, proposal, "approve", comment="")
    assert response.status_code in (302, 403)
    assert proposal.stage == Stage.MODERATION and not proposal.live
    other = UserFactory()
    task_action(client, other, proposal, "reject", comment="x")
    assert proposal.stage == Stage.MODERATION


def test_a_moderator_cannot_act_on_another_municipalitys_proposals(
    client, town, city_town, citizen
):
    proposal = submit(client, city_town, citizen)
    response = task_action(client, town.moderator, proposal, "approve", comment="")
    assert response.status_code in (302, 403)
    assert proposal.stage == Stage.MODERATION and not proposal.live
    # Nor by pointing the URL at one of their own pages with the other's task state.
    own = submit(client, town, UserFactory())
    client.force_login(town.moderator)
    url = reverse(
        "wagtailadmin_pages:workflow_action",
        args=(own.pk, "approve", proposal.current_workflow_task_state.pk),
    )
    client.post(url, {"comment": ""})
    proposal.refresh_from_db()
    assert proposal.stage == Stage.MODERATION and not proposal.live
    # The city's own moderator can.
    publish(client, city_town, proposal)


def test_only_committee_members_decide(client, town, citizen, run_jobs):
    proposal = submit(client, town, citizen)
    publish(client, town, proposal)
    with run_jobs():
        for _ in range(3):
            support(client, town, proposal, UserFactory())
    proposal.refresh_from_db()
    assert proposal.stage == Stage.REVIEW
    for outsider in (town.moderator, citizen):
        response = task_action(
            client, outsider, proposal, "decide", decision="adopted", comment="채택"
        )
        assert response.status_code in (302, 403)
        assert proposal.stage == Stage.REVIEW
    # The supports task cannot be approved by hand either.
    client.force_login(town.committee_member)
    dashboard = client.get(reverse("wagtailadmin_home")).content.decode()
    assert proposal.title in dashboard
    client.force_login(town.moderator)
    assert proposal.title not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_supports_task_has_no_manual_actions(client, town, citizen):
    proposal = submit(client, town, citizen)
    publish(client, town, proposal)
    for user in (town.moderator, town.committee_member):
        response = task_action(client, user, proposal, "approve", comment="")
        assert response.status_code in (302, 403)
    assert proposal.stage == Stage.COLLECTING


@pytest.mark.parametrize("scope", ["site", "everywhere"])
def test_blocked_users_can_read_but_not_write(client, town, citizen, scope):
    proposal = submit(client, town, citizen)
    publish(client, town, proposal)
    blocked = UserFactory()
    UserBlock.objects.create(
        user=blocked, site=town.site if scope == "site" else None, reason="spam"
    )
    client.force_login(blocked)
    assert client.get(proposal.url, HTTP_HOST=town.host).status_code == 200
    support(client, town, proposal, blocked)
    assert not Support.objects.filter(user=blocked).exists()
    response = client.get(town.url("submit"), HTTP_HOST=town.host)
    assert response.status_code == 302
    response = client.post(
        town.url("report", content_type_id=proposal.content_type_id, object_id=proposal.pk),
        {"reason": "spam"},
        HTTP_HOST=town.host,
    )
    assert response.status_code == 302
    assert not proposal.hidden
    from participation.models import Report

    assert not Report.objects.exists()


def test_unverified_citizens_cannot_write(client, town):
    unverified = UserFactory(verified=False)
    client.force_login(unverified)
    response = client.get(town.url("submit"), HTTP_HOST=town.host)
    assert response.status_code == 302


def test_only_the_author_edits_and_only_before_publication(client, town, citizen):
    proposal = submit(client, town, citizen)
    intruder = UserFactory()
    client.force_login(intruder)
    assert (
        client.get(town.url("edit", proposal_id=proposal.pk), HTTP_HOST=town.host).status_code
        == 404
    )
    assert (
        client.post(
            town.url("withdraw", proposal_id=proposal.pk),
            {"reason": "duplicate"},
            HTTP_HOST=town.host,
        ).status_code
        == 404
    )
    publish(client, town, proposal)
    client.force_login(citizen)
    response = client.get(town.url("edit", proposal_id=proposal.pk), HTTP_HOST=town.host)
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.stage == Stage.COLLECTING


def test_anonymous_visitors_are_sent_to_log_in(client, town, citizen):
    proposal = submit(client, town, citizen)
    publish(client, town, proposal)
    client.logout()
    for url in (town.url("submit"), town.url("my_activity")):
        response = client.get(url, HTTP_HOST=town.host)
        assert response.status_code == 302 and "login" in response["Location"]
    response = client.post(
        town.url("support", proposal_id=proposal.pk), {"action": "support"}, HTTP_HOST=town.host
    )
    assert response.status_code == 302 and "login" in response["Location"]
    assert proposal.support_count == 0
