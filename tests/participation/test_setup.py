"""A municipality's staff set proposals up entirely in the admin."""

import pytest
from wagtail.models import WorkflowPage

from participation.models import ParticipationSettings, ProposalIndexPage
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def test_publishing_a_proposals_index_sets_up_its_workflow_and_groups(client, city):
    client.force_login(StaffFactory())
    home = city.root_page
    response = client.post(
        f"/admin/pages/add/participation/proposalindexpage/{home.pk}/",
        {"title": "시민 제안", "slug": "proposals", "intro": "", "action-publish": "publish"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]

    index = ProposalIndexPage.objects.child_of(home).get()
    assert index.live
    assignment = WorkflowPage.objects.get(page=index)
    tasks = [task.specific.__class__.__name__ for task in assignment.workflow.tasks]
    assert tasks == ["ModerationTask", "SupportsTask", "CommitteeTask"]
    config = ParticipationSettings.for_site(city)
    assert config.moderators_group.name == "창원특례시 모더레이터"
    assert config.committee_group.name == "창원특례시 위원회"
