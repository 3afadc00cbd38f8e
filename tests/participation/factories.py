"""Factories and helpers for participation tests: a municipality ready for proposals."""

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.urls import reverse
from wagtail.models import Site

from cms.models import MunicipalitySettings
from participation import workflow
from participation.models import ProposalIndexPage, ProposalPage, Topic
from tests.factories import UserFactory


@dataclass
class Municipality:
    site: Site
    index: ProposalIndexPage
    topic: Topic
    moderator: object
    committee_member: object
    moderators: Group
    committee: Group

    @property
    def host(self):
        return self.site.hostname

    def url(self, name, **kwargs):
        return self.index.get_url() + self.index.reverse_subpage(name, kwargs=kwargs)


def ensure_page_tree():
    """Transactional tests flush the tables that migrations filled: restore the tree's root."""
    from wagtail.models import Collection, Locale, Page

    if Page.get_first_root_node() is None:
        Locale.objects.get_or_create(language_code="ko")
        Page.add_root(instance=Page(title="Root", slug="root"))
    if Collection.get_first_root_node() is None:  # images and documents need it
        Collection.add_root(name="Root")


def setup_municipality(site, *, threshold=3, window_days=30, support_rule="email"):
    """A site ready for proposals. Supports: anyone with a verified email, unless a test
    asks for the residents rule (the product's default, tested in tests/voting)."""
    config = MunicipalitySettings.for_site(site)
    config.support_threshold = threshold
    config.support_window_days = window_days
    config.support_rule = support_rule
    config.save()
    index = ProposalIndexPage(title="시민 제안", slug="proposals")
    site.root_page.add_child(instance=index)
    index.save_revision().publish()
    topic = Topic.objects.create(site=site, name="교통")
    workflow.ensure_workflow(site)
    moderators, committee = workflow.ensure_groups(site)
    moderator = UserFactory(display_name=f"{config.name_ko} 모더레이터")
    moderator.groups.add(moderators)
    member = UserFactory(display_name=f"{config.name_ko} 위원")
    member.groups.add(committee)
    return Municipality(site, index, topic, moderator, member, moderators, committee)


def proposal_data(town, **overrides):
    data = {
        "title": "버스 정류장에 그늘막을 설치해 주세요",
        "summary": "여름철 정류장 이용객을 위한 그늘막 설치 제안",
        "body": "정류장에 그늘이 없어 어르신들이 힘들어합니다.\n\n그늘막을 설치해 주세요.",
        "topic": town.topic.pk,
    }
    data.update(overrides)
    return data


def submit(client, town, author, **overrides):
    """Submit a proposal through the citizen's forms; returns the proposal."""
    client.force_login(author)
    response = client.post(
        town.url("submit"), proposal_data(town, **overrides), HTTP_HOST=town.host
    )
    assert response.status_code == 302, (
        getattr(response, "context", None) and response.context["form"].errors
    )
    proposal = ProposalPage.objects.filter(author=author).latest("pk")
    response = client.post(town.url("preview", proposal_id=proposal.pk), HTTP_HOST=town.host)
    assert response.status_code == 302
    proposal.refresh_from_db()
    return proposal


def task_action(client, user, proposal, action, **data):
    """Act on the proposal's current workflow task as `user`, through the Wagtail admin."""
    proposal.refresh_from_db()
    task_state = proposal.current_workflow_task_state
    client.force_login(user)
    url = reverse("wagtailadmin_pages:workflow_action", args=(proposal.pk, action, task_state.pk))
    response = client.post(url, data)
    proposal.refresh_from_db()
    return response


def publish(client, town, proposal):
    response = task_action(client, town.moderator, proposal, "approve", comment="")
    assert response.status_code == 302
    assert proposal.stage == ProposalPage.Stage.COLLECTING
    return proposal


def support(client, town, proposal, user, **extra):
    client.force_login(user)
    return client.post(
        town.url("support", proposal_id=proposal.pk),
        {"action": "support", **extra},
        HTTP_HOST=town.host,
    )
