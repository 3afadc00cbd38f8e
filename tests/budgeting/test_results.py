"""Results: stored, published by staff through the admin (counting as a job), never recomputed
once published, and shown with their explanation on the public pages."""

import pytest
from django.urls import reverse

from budgeting.models import BudgetPage, BudgetProjectPage, BudgetResult

from .conftest import run

SMALL = """META
key;value
budget;30
vote_type;approval
rule;equalshares/add1
currency;KRW
PROJECTS
project_id;cost;name
A;20;Park
B;15;Library
C;10;Benches
VOTES
voter_id;vote
1;A,C
2;A,C
3;B,C
"""
HOST = {"HTTP_HOST": "gyeongnam.test"}


@pytest.fixture
def budget(import_text):
    return BudgetPage.objects.get(pk=import_text(SMALL))


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_superuser(email="staff@example.com", password="x")


@pytest.mark.django_db
def test_staff_count_in_a_job_and_publish(client, budget, staff, run_jobs):
    client.force_login(staff)
    url = reverse("budgeting_admin:results", args=[budget.pk])
    heading = budget.headings.get()
    with run_jobs():
        response = client.post(url, {"heading": heading.pk, "rule": "equal-shares"})
    assert response.status_code == 302
    result = BudgetResult.objects.get(heading=heading, rule="equal-shares")
    assert result.status == "done" and result.progress == 100
    c, a = (BudgetProjectPage.objects.get(pabulib_id=x).pk for x in ("C", "A"))
    assert result.selected == [c, a]
    assert result.computed_by == staff
    page = client.get(url)
    assert "공개" in page.content.decode()

    # Not public until published.
    public = client.get(budget.url, **HOST).content.decode()
    assert "선정되지 않음" not in public

    client.post(reverse("budgeting_admin:publish", args=[budget.pk, result.pk]))
    result.refresh_from_db()
    assert result.published_at is not None and result.published_by == staff

    public = client.get(budget.url, **HOST).content.decode()
    assert "1번째로 선정: 지지자 3명이 각자의 균등 몫에서 최대 3.33 KRW씩 냈습니다." in public
    assert "모자랐습니다" in public  # B: 14.67 between its supporters, 0.33 short
    project = client.get(BudgetProjectPage.objects.get(pabulib_id="B").url, **HOST)
    assert "14.67 KRW" in project.content.decode()

    # Counting again is refused in the admin and the command prints the stored result.
    with run_jobs():
        client.post(url, {"heading": heading.pk, "rule": "equal-shares"})
    result.refresh_from_db()
    computed_at = result.computed_at
    out, err = run("tally_budget", str(budget.pk), "--rule", "equal-shares")
    assert out.split() == ["C", "A"]
    assert "공개" in err
    result.refresh_from_db()
    assert result.computed_at == computed_at


@pytest.mark.django_db
def test_a_citizen_cannot_count_or_publish(client, budget, citizen):
    client.force_login(citizen)
    response = client.get(reverse("budgeting_admin:results", args=[budget.pk]))
    assert response.status_code in (302, 403)
    assert not BudgetResult.objects.exists()


@pytest.mark.django_db
def test_budget_page_lists_projects_with_a_fixed_number_of_queries(
    client, budget, django_assert_max_num_queries
):
    with django_assert_max_num_queries(30):
        response = client.get(budget.url, **HOST)
    assert response.status_code == 200
    assert "Library" in response.content.decode()
