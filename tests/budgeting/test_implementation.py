"""Implementation updates serve any page: an adopted proposal and a funded budget project get
them through the same admin form, and each shows them on its public page."""

from django.core import mail
from django.urls import reverse
from django.utils import timezone

from budgeting.models import BudgetResult
from participation.models import ImplementationUpdate, Notification, ProposalPage
from tests.budgeting.process import make_budget, make_project
from tests.factories import StaffFactory, UserFactory
from tests.participation.factories import setup_municipality

HOST = {"HTTP_HOST": "gyeongnam.test"}


def post_update(client, page, note, progress="40"):
    return client.post(
        reverse("implementationupdate:add"),
        {
            "page": page.pk,
            "status": "in_progress",
            "progress": progress,
            "date": "2027-03-02",
            "note": note,
        },
    )


def test_a_funded_project_gets_updates_on_its_page_and_its_author_is_told(
    client, province, run_jobs
):
    budget = make_budget(province, phase="finished")
    author = UserFactory()
    funded = make_project(budget, "공원 조명", author=author)
    not_funded = make_project(budget, "분수대")
    BudgetResult.objects.create(
        heading=funded.heading,
        rule="greedy",
        status=BudgetResult.Status.DONE,
        selected=[funded.pk],
        published_at=timezone.now(),
    )
    client.force_login(StaffFactory())
    mail.outbox.clear()
    with run_jobs():
        response = post_update(client, funded, "조명 12개 가운데 5개를 달았습니다.")
    assert response.status_code == 302, response.content.decode()[:2000]
    response = post_update(client, not_funded, "선정되지 않은 사업")
    assert response.status_code == 200
    assert ImplementationUpdate.objects.count() == 1

    client.logout()
    html = client.get(funded.url, **HOST).content.decode()
    assert "추진 상황" in html and "조명 12개 가운데 5개를 달았습니다." in html
    assert 'value="40"' in html
    assert Notification.objects.get(recipient=author).kind == "implementation"
    assert any(author.email in message.to for message in mail.outbox)


def test_an_adopted_proposal_keeps_its_updates_through_the_same_form(client, province):
    town = setup_municipality(province)
    proposal = ProposalPage(
        title="정류장 그늘막",
        summary="그늘막 설치",
        body="<p>그늘막을 설치해 주세요.</p>",
        stage=ProposalPage.Stage.ADOPTED,
        author=UserFactory(),
    )
    town.index.add_child(instance=proposal)
    proposal.save_revision().publish()
    client.force_login(StaffFactory())
    response = post_update(client, proposal, "시범 정류장 5곳에 설치했습니다.", progress="100")
    assert response.status_code == 302, response.content.decode()[:2000]
    update = ImplementationUpdate.objects.get()
    assert update.page_id == proposal.pk
    client.logout()
    html = client.get(proposal.url, **HOST).content.decode()
    assert "시범 정류장 5곳에 설치했습니다." in html and 'value="100"' in html
