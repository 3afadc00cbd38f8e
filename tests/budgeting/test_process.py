"""The budget process as citizens see it: phases, submitting, editing and supporting projects."""

import io

import pytest
from django.test import Client
from PIL import Image

from budgeting.models import BudgetProjectImage, BudgetProjectPage, BudgetSupport
from home.models import HomePage
from tests.budgeting.process import make_budget, make_project, set_phase, url
from tests.factories import UserFactory
from tests.voting.factories import verify

HOST = {"HTTP_HOST": "gyeongnam.test"}


@pytest.fixture
def resident(province):
    user = UserFactory(display_name="주민")
    verify(user, province)
    return user


def png(name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, "PNG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def project_data(budget, **overrides):
    data = {
        "title": "공원 산책로 조명",
        "description": "밤에도 안전하게 걸을 수 있도록 조명을 답니다.",
        "cost": "30000000",
        "heading": budget.headings.order_by("sort_order").first().pk,
        "latitude": "35.2279",
        "longitude": "128.6811",
        "image_alt": "",
    }
    data.update(overrides)
    return data


def test_the_budget_page_shows_its_phases_with_the_current_one_marked(client, province):
    budget = make_budget(province, phase="selecting")
    html = client.get(budget.url, **HOST).content.decode()
    assert '<ol class="budget-phases__list">' in html
    current = html.split('aria-current="step"')
    assert len(current) == 2, "exactly one phase is marked current"
    marked = current[1].split("</li>")[0]
    assert "사업 선별(공감)" in marked and "(현재)" in marked
    assert html.count("budget-phase--past") == 3  # information, accepting, review
    assert "지금 할 수 있는 일" in html


def test_staff_override_decides_the_phase_and_the_capabilities(province):
    budget = make_budget(province, phase="accepting_projects")
    assert budget.can_submit() and not budget.can_support() and not budget.can_vote()
    budget = set_phase(budget, "selecting")
    assert budget.current_kind() == "selecting"
    assert budget.can_support() and not budget.can_submit()
    assert budget.next_phase_kind() == "balloting"
    budget = set_phase(budget, "balloting")
    assert budget.can_vote() and budget.settings_frozen()


def test_an_eligible_citizen_submits_a_project_with_an_image(client, province, resident):
    budget = make_budget(province, phase="accepting_projects")
    client.force_login(resident)
    assert client.get(url(budget, "submit"), **HOST).status_code == 200
    response = client.post(
        url(budget, "submit"),
        project_data(budget, image=png(), image_alt="어두운 산책로"),
        **HOST,
    )
    assert response.status_code == 302
    project = BudgetProjectPage.objects.get(title="공원 산책로 조명")
    assert project.author == resident and project.live and project.feasibility == "pending"
    assert project.latitude == pytest.approx(35.2279)
    assert BudgetProjectImage.objects.get(project=project).alt == "어두운 산책로"
    html = client.get(response.url, **HOST).content.decode()
    assert "공원 산책로 조명" in html and "검토 대기" in html and 'alt="어두운 산책로"' in html
    assert "내 사업 고치기" in html


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"title": ""}, "필수"),
        ({"cost": "-5"}, "1"),
        ({"cost": "900000000"}, "비용이 이 분야의 전체 예산보다 많습니다."),
        ({"latitude": "35.2", "longitude": ""}, "위도와 경도를 모두 적거나 모두 비워 주세요."),
        ({"latitude": "135", "longitude": "128"}, "90"),
    ],
)
def test_bad_submissions_are_refused_in_korean_and_create_nothing(
    client, province, resident, overrides, message
):
    budget = make_budget(province, phase="accepting_projects")
    client.force_login(resident)
    response = client.post(url(budget, "submit"), project_data(budget, **overrides), **HOST)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not BudgetProjectPage.objects.exists()


def test_a_fake_image_is_refused(client, province, resident):
    budget = make_budget(province, phase="accepting_projects")
    client.force_login(resident)
    fake = io.BytesIO(b"%PDF-1.4 not an image")
    fake.name = "photo.png"
    response = client.post(
        url(budget, "submit"), project_data(budget, image=fake, image_alt="사진"), **HOST
    )
    assert response.status_code == 400
    assert not BudgetProjectPage.objects.exists() and not BudgetProjectImage.objects.exists()


@pytest.mark.parametrize("phase", ["information", "review", "selecting", "balloting", "finished"])
def test_submitting_outside_the_accepting_phase_is_refused(client, province, resident, phase):
    budget = make_budget(province, phase=phase)
    client.force_login(resident)
    response = client.post(url(budget, "submit"), project_data(budget), **HOST)
    assert response.status_code == 403
    html = response.content.decode()
    assert "“사업 제안 접수” 단계에서만 할 수 있습니다" in html
    assert not BudgetProjectPage.objects.exists()


def test_a_citizen_who_is_not_a_verified_resident_cannot_submit(client, province):
    budget = make_budget(province, phase="accepting_projects")
    outsider = UserFactory()
    client.force_login(outsider)
    response = client.post(url(budget, "submit"), project_data(budget), **HOST)
    assert response.status_code == 403
    assert "거주" in response.content.decode() or "주민" in response.content.decode()
    assert not BudgetProjectPage.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, province):
    budget = make_budget(province, phase="accepting_projects")
    response = client.post(url(budget, "submit"), project_data(budget), **HOST)
    assert response.status_code == 302 and "login" in response.url
    assert not BudgetProjectPage.objects.exists()


def test_the_author_edits_until_the_review_starts_and_nobody_else_can(client, province, resident):
    budget = make_budget(province, phase="accepting_projects")
    project = make_project(budget, author=resident)
    client.force_login(resident)
    response = client.post(
        url(budget, "edit_project", project_id=project.pk),
        project_data(budget, title="고친 제목"),
        **HOST,
    )
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "고친 제목" and project.author == resident

    other = UserFactory()
    verify(other, province)
    client.force_login(other)
    response = client.post(
        url(budget, "edit_project", project_id=project.pk),
        project_data(budget, title="남의 사업"),
        **HOST,
    )
    assert response.status_code == 403
    assert "사업은 제안자만 고칠 수 있습니다." in response.content.decode()

    set_phase(budget, "review")
    client.force_login(resident)
    response = client.post(
        url(budget, "edit_project", project_id=project.pk),
        project_data(budget, title="검토 중에 고침"),
        **HOST,
    )
    assert response.status_code == 403
    assert "사업 검토가 시작되어 더 이상 고칠 수 없습니다." in response.content.decode()
    project.refresh_from_db()
    assert project.title == "고친 제목"
    page = client.get(project.url, **HOST).content.decode()
    assert "내 사업 고치기" not in page


def support(client, budget, project, action="support"):
    return client.post(
        url(budget, "support_project", project_id=project.pk), {"action": action}, **HOST
    )


def test_supports_in_the_selecting_phase_up_to_the_limit(client, province, resident):
    budget = make_budget(province, phase="selecting", supports_per_citizen=2)
    projects = [make_project(budget, f"사업 {n}", feasibility="feasible") for n in range(3)]
    client.force_login(resident)
    assert support(client, budget, projects[0]).status_code == 302
    assert support(client, budget, projects[0]).status_code == 302  # a repeat counts once
    assert support(client, budget, projects[1]).status_code == 302
    response = support(client, budget, projects[2])
    assert response.status_code == 403
    assert "최대 2개 사업에 공감했습니다" in response.content.decode()
    counts = dict(BudgetProjectPage.objects.values_list("title", "support_count"))
    assert counts == {"사업 0": 1, "사업 1": 1, "사업 2": 0}
    assert BudgetSupport.objects.filter(user=resident).count() == 2

    assert support(client, budget, projects[0], "withdraw").status_code == 302
    assert support(client, budget, projects[2]).status_code == 302
    counts = dict(BudgetProjectPage.objects.values_list("title", "support_count"))
    assert counts == {"사업 0": 0, "사업 1": 1, "사업 2": 1}
    html = client.get(budget.url, **HOST).content.decode()
    assert "공감 2개 중 2개를 썼습니다." in html


@pytest.mark.parametrize("phase", ["accepting_projects", "review", "balloting"])
def test_supports_outside_the_selecting_phase_are_refused(client, province, resident, phase):
    budget = make_budget(province, phase=phase)
    project = make_project(budget, feasibility="feasible")
    client.force_login(resident)
    response = support(client, budget, project)
    assert response.status_code == 403
    assert "“사업 선별(공감)” 단계에서만 할 수 있습니다" in response.content.decode()
    assert not BudgetSupport.objects.exists()
    project.refresh_from_db()
    assert project.support_count == 0


def test_unfeasible_projects_and_ineligible_citizens_cannot_get_supports(client, province):
    budget = make_budget(province, phase="selecting")
    unfeasible = make_project(
        budget, feasibility="unfeasible", feasibility_explanation="사유지입니다."
    )
    district_project = make_project(
        budget,
        "의창구 사업",
        feasibility="feasible",
        heading=budget.headings.get(district="의창구"),
    )
    resident = UserFactory()
    verify(resident, province, district="성산구")
    client.force_login(resident)
    response = support(client, budget, unfeasible)
    assert response.status_code == 403
    assert "실현 가능으로 검토된 사업에만 공감할 수 있습니다." in response.content.decode()
    response = support(client, budget, district_project)
    assert response.status_code == 403
    assert "의창구" in response.content.decode()
    assert not BudgetSupport.objects.exists()
    # The unfeasible project stays visible with the reason.
    client.logout()
    html = Client().get(unfeasible.url, **HOST).content.decode()
    assert "실현 불가" in html and "사유지입니다." in html


def test_selection_puts_the_most_supported_on_the_ballot(province):
    budget = make_budget(province, phase="selecting")
    city_wide, district = budget.headings.order_by("sort_order")
    city_wide.ballot_top_n = 2
    city_wide.save()
    district.ballot_min_supports = 3
    district.save()
    a = make_project(budget, "A", feasibility="feasible", support_count=5)
    b = make_project(budget, "B", feasibility="feasible", support_count=9)
    c = make_project(budget, "C", feasibility="feasible", support_count=1)
    d = make_project(budget, "D", feasibility="unfeasible", support_count=0)
    e = make_project(budget, "E", feasibility="feasible", heading=district)
    f = make_project(budget, "F", feasibility="feasible", heading=district)
    people = [UserFactory() for _ in range(3)]
    # Counters are recounted from the rows before choosing: give real supports.
    for project, supporters in ((a, people[:2]), (b, people), (c, people[:1]), (e, people)):
        for person in supporters:
            BudgetSupport.objects.create(project=project, budget=budget, user=person)
    assert budget.select_for_ballot() == 3
    on_ballot = set(budget.ballot_projects().values_list("title", flat=True))
    assert on_ballot == {"A", "B", "E"}
    assert not BudgetProjectPage.objects.get(pk=d.pk).selected_for_ballot
    assert not BudgetProjectPage.objects.get(pk=f.pk).selected_for_ballot
    assert BudgetProjectPage.objects.get(pk=b.pk).support_count == 3


def test_without_a_selecting_phase_every_feasible_project_is_on_the_ballot(province):
    budget = make_budget(
        province,
        phase="balloting",
        kinds=["accepting_projects", "review", "balloting", "finished"],
    )
    make_project(budget, "가능", feasibility="feasible")
    make_project(budget, "불가", feasibility="unfeasible")
    make_project(budget, "대기")
    assert list(budget.ballot_projects().values_list("title", flat=True)) == ["가능"]


def test_the_budget_list_uses_a_fixed_number_of_queries(
    client, province, resident, django_assert_max_num_queries
):
    budget = make_budget(province, phase="selecting")
    for n in range(3):
        make_project(budget, f"사업 {n}", feasibility="feasible")
    client.force_login(resident)
    client.get(budget.url, **HOST)
    with django_assert_max_num_queries(60) as few:
        client.get(budget.url, **HOST)
    baseline = len(few.captured_queries)  # now: the query log rotates as pages are made
    for n in range(3, 40):
        make_project(budget, f"사업 {n}", feasibility="feasible" if n % 2 else "pending")
    client.get(budget.url, **HOST)  # publishing refreshed the cached menu and site: fill them again
    with django_assert_max_num_queries(baseline):
        html = client.get(budget.url, **HOST).content.decode()
    assert "사업 39" in html


def test_the_active_budget_block_shows_the_phase_and_what_to_do(client, province, resident):
    budget = make_budget(province, phase="accepting_projects")
    home = HomePage.objects.get(pk=province.root_page.pk)
    home.body = [("active_budget", {"heading": "우리 동네 예산"})]
    home.save_revision().publish()
    client.force_login(resident)
    html = client.get("/", **HOST).content.decode()
    assert "우리 동네 예산" in html and budget.title in html
    assert "사업 제안" in html and url(budget, "submit") in html
    set_phase(budget, "finished")
    html = client.get("/", **HOST).content.decode()
    assert "지금 진행 중인 주민참여예산이 없습니다." in html
