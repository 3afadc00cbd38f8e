"""Staff run the process in the Wagtail admin: review (one and in bulk) with the authors told,
phases moved by hand, and the ballot settings frozen once balloting opens."""

import pytest
from django.core import mail
from django.urls import reverse

from budgeting.models import BudgetHeading, BudgetPage, BudgetProjectPage
from participation.models import Notification
from tests.budgeting.process import form_post_data, make_budget, make_project, set_phase
from tests.factories import StaffFactory, UserFactory

HOST = {"HTTP_HOST": "gyeongnam.test"}


def mails_to(user):
    return [message for message in mail.outbox if user.email in message.to]


@pytest.fixture
def staff(db):
    return StaffFactory(display_name="담당자")


def test_staff_review_one_project_and_the_author_is_told_in_their_language(
    client, province, staff, run_jobs
):
    budget = make_budget(province, phase="review")
    author = UserFactory(display_name="제안자", language="ko")
    project = make_project(budget, author=author)
    client.force_login(staff)
    review_url = reverse("budgeting_admin:review", args=[budget.pk, project.pk])
    assert client.get(review_url).status_code == 200
    mail.outbox.clear()
    with run_jobs():
        response = client.post(
            review_url,
            {
                "feasibility": "unfeasible",
                "explanation": "사유지라서 공공 예산을 쓸 수 없습니다.",
                "cost_estimate": "45000000",
            },
        )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.feasibility == "unfeasible" and project.cost_estimate == 45_000_000
    assert project.reviewed_by == staff
    note = Notification.objects.get(recipient=author)
    assert note.kind == "project_unfeasible" and "실현 불가" in note.title
    [message] = mails_to(author)
    assert "실현 불가" in message.subject
    assert "사유지라서 공공 예산을 쓸 수 없습니다." in message.body
    # The reason stays public on the project's page, with the staff's estimate.
    client.logout()
    html = client.get(project.url, **HOST).content.decode()
    assert "사유지라서 공공 예산을 쓸 수 없습니다." in html and "45,000,000" in html


def test_an_unfeasible_review_needs_a_public_reason(client, province, staff):
    budget = make_budget(province, phase="review")
    project = make_project(budget, author=UserFactory())
    client.force_login(staff)
    response = client.post(
        reverse("budgeting_admin:review", args=[budget.pk, project.pk]),
        {"feasibility": "unfeasible", "explanation": " ", "cost_estimate": ""},
    )
    assert response.status_code == 200
    assert "실현할 수 없는 이유를 공개 설명으로 적어 주세요." in response.content.decode()
    project.refresh_from_db()
    assert project.feasibility == "pending" and not Notification.objects.exists()


def test_bulk_review_marks_the_chosen_projects_and_tells_each_author_once(
    client, province, staff, run_jobs
):
    budget = make_budget(province, phase="review")
    english = UserFactory(language="en")
    korean = UserFactory(language="ko")
    chosen = [make_project(budget, "가", author=english), make_project(budget, "나", author=korean)]
    left = make_project(budget, "다", author=korean)
    client.force_login(staff)
    process_url = reverse("budgeting_admin:process", args=[budget.pk])
    html = client.get(process_url).content.decode()
    assert "가" in html and "검토 대기" in html
    mail.outbox.clear()
    with run_jobs():
        response = client.post(
            process_url,
            {
                "projects": [p.pk for p in chosen],
                "feasibility": "feasible",
                "explanation": "예산과 부지를 확인했습니다.",
            },
        )
    assert response.status_code == 302
    states = dict(BudgetProjectPage.objects.values_list("title", "feasibility"))
    assert states == {"가": "feasible", "나": "feasible", "다": "pending"}
    [to_english] = mails_to(english)
    assert "was found feasible" in to_english.subject
    [to_korean] = mails_to(korean)
    assert "실현 가능" in to_korean.subject
    assert left.pk not in Notification.objects.values_list("object_id", flat=True)


def test_bulk_review_without_a_project_changes_nothing(client, province, staff):
    budget = make_budget(province, phase="review")
    make_project(budget, "가", author=UserFactory())
    client.force_login(staff)
    response = client.post(
        reverse("budgeting_admin:process", args=[budget.pk]),
        {"feasibility": "feasible", "explanation": ""},
    )
    assert response.status_code == 200
    assert "사업을 하나 이상 골라 주세요." in response.content.decode()
    assert BudgetProjectPage.objects.get().feasibility == "pending"


def test_staff_move_the_budget_to_the_next_phase_by_hand(client, province, staff):
    budget = make_budget(province, phase="accepting_projects")
    client.force_login(staff)
    response = client.post(reverse("budgeting_admin:next_phase", args=[budget.pk]))
    assert response.status_code == 302
    budget = BudgetPage.objects.get(pk=budget.pk)
    assert budget.phase_override == "review" and budget.current_kind() == "review"
    response = client.post(reverse("budgeting_admin:follow_dates", args=[budget.pk]))
    budget = BudgetPage.objects.get(pk=budget.pk)
    assert budget.phase_override == "" and budget.current_kind() == "accepting_projects"


def test_citizens_cannot_reach_the_process_screen(client, province):
    budget = make_budget(province, phase="review")
    client.force_login(UserFactory())
    response = client.post(reverse("budgeting_admin:next_phase", args=[budget.pk]))
    assert response.status_code in (302, 403)
    assert BudgetPage.objects.get(pk=budget.pk).phase_override == ""


def edit(client, staff, budget, change):
    form_class = budget.get_edit_handler().get_form_class()
    form = form_class(instance=budget, for_user=staff)
    data = form_post_data(form)
    change(data)
    return client.post(reverse("wagtailadmin_pages:edit", args=[budget.pk]), data)


def test_before_balloting_the_settings_can_change(client, province, staff):
    budget = make_budget(province, phase="selecting")
    client.force_login(staff)
    response = edit(client, staff, budget, lambda data: data.update(rule="equal-shares"))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert BudgetPage.objects.get(pk=budget.pk).get_latest_revision_as_object().rule == (
        "equal-shares"
    )


@pytest.mark.parametrize(
    "field, value",
    [("ballot_kind", "cumulative"), ("rule", "equal-shares"), ("max_length", "7")],
)
def test_once_balloting_opens_the_settings_are_frozen(client, province, staff, field, value):
    budget = make_budget(province, phase="balloting")
    client.force_login(staff)
    response = edit(client, staff, budget, lambda data: data.update({field: value}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "투표가 시작되어 투표 방식, 투표 제한, 집계 규칙, 분야별 예산액은 더 이상" in html
    stored = BudgetPage.objects.get(pk=budget.pk)
    assert stored.get_latest_revision_as_object().ballot_kind == "approval"
    assert stored.rule == "greedy" and stored.max_length is None
    assert stored.revisions.count() == 1


def test_once_balloting_opens_headings_amounts_are_frozen(client, province, staff):
    budget = make_budget(province, phase="balloting")
    client.force_login(staff)
    response = edit(
        client, staff, budget, lambda data: data.update({"headings-0-amount": "999999999"})
    )
    assert response.status_code == 200
    assert "분야를 추가하거나 삭제하거나 예산액을 바꿀 수 없습니다." in response.content.decode()
    assert sorted(BudgetHeading.objects.values_list("amount", flat=True)) == [
        50_000_000,
        100_000_000,
    ]
    # Other content still edits while balloting runs.
    response = edit(
        client, staff, budget, lambda data: data.update(intro="투표 안내를 고쳤습니다.")
    )
    assert response.status_code == 302


def test_phase_set_by_hand_to_balloting_freezes_too(province):
    budget = make_budget(province, phase="selecting")
    assert not budget.settings_frozen()
    assert set_phase(budget, "balloting").settings_frozen()


def test_once_balloting_opens_the_projects_on_the_ballot_stay_as_they_are(client, province, staff):
    budget = make_budget(province, phase="balloting")
    on_ballot = make_project(budget, title="투표에 오른 사업", feasibility="feasible")
    BudgetProjectPage.objects.filter(pk=on_ballot.pk).update(selected_for_ballot=True)
    client.force_login(staff)
    response = client.post(reverse("budgeting_admin:select", args=[budget.pk]), follow=True)
    assert "투표에 오르는 사업을 더 바꿀 수 없습니다" in response.content.decode()
    response = client.post(
        reverse("budgeting_admin:review", args=[budget.pk, on_ballot.pk]),
        {
            "feasibility": "unfeasible",
            "explanation": "뒤늦게 안 된다고 합니다.",
            "cost_estimate": "",
        },
    )
    assert response.status_code == 200
    assert "투표에 오르는 사업을 더 바꿀 수 없습니다" in response.content.decode()
    on_ballot.refresh_from_db()
    assert on_ballot.feasibility == "feasible" and on_ballot.selected_for_ballot
