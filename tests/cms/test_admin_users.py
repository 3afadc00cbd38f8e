"""Staff create and edit people in Wagtail's user admin and put them in a municipality's groups."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from cms.models import User
from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, province):
    client.force_login(StaffFactory(is_superuser=True))
    return client


@pytest.fixture
def committee(db):
    return Group.objects.create(name="경상남도 위원회")


def test_the_create_form_shows_display_name_and_language_not_a_real_name(admin_client):
    html = admin_client.get(reverse("wagtailusers_users:add")).content.decode()
    assert 'name="display_name"' in html
    assert 'name="language"' in html
    assert 'name="first_name"' not in html and 'name="last_name"' not in html


def test_staff_create_a_person_in_a_municipality_group(admin_client, committee):
    response = admin_client.post(
        reverse("wagtailusers_users:add"),
        {
            "email": "member@example.com",
            "display_name": "위원 김",
            "language": "ko",
            "is_active": "on",
            "groups": [committee.pk],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    user = User.objects.get(email="member@example.com")
    assert user.display_name == "위원 김"
    assert list(user.groups.all()) == [committee]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"display_name": ""}, "display_name"),
        ({"display_name": "me@example.com"}, "display_name"),
        ({"email": "not-an-email"}, "email"),
        ({"language": "xx"}, "language"),
    ],
)
def test_bad_input_is_refused_in_korean_and_creates_nobody(admin_client, change, field):
    data = {"email": "member@example.com", "display_name": "위원 김", "language": "ko"}
    data.update(change)
    response = admin_client.post(reverse("wagtailusers_users:add"), data)
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    message = " ".join(errors[field])
    assert any("\uac00" <= char <= "\ud7a3" for char in message), message  # Hangul
    assert not User.objects.filter(email="member@example.com").exists()


def test_a_taken_email_is_refused(admin_client):
    UserFactory(email="member@example.com")
    response = admin_client.post(
        reverse("wagtailusers_users:add"),
        {"email": "member@example.com", "display_name": "다른 사람", "language": "ko"},
    )
    assert response.status_code == 200
    assert User.objects.filter(email="member@example.com").count() == 1


def test_staff_edit_a_person_and_their_groups(admin_client, committee):
    person = UserFactory(display_name="예전 이름")
    url = reverse("wagtailusers_users:edit", args=[person.pk])
    html = admin_client.get(url).content.decode()
    assert "예전 이름" in html
    response = admin_client.post(
        url,
        {
            "email": person.email,
            "display_name": "새 이름",
            "language": "en",
            "is_active": "on",
            "groups": [committee.pk],
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    person.refresh_from_db()
    assert (person.display_name, person.language) == ("새 이름", "en")
    assert list(person.groups.all()) == [committee]


def test_editing_with_an_empty_display_name_changes_nothing(admin_client):
    person = UserFactory(display_name="그대로")
    url = reverse("wagtailusers_users:edit", args=[person.pk])
    response = admin_client.post(
        url, {"email": person.email, "display_name": "", "language": "ko", "is_active": "on"}
    )
    assert response.status_code == 200
    assert "사용자" in response.content.decode()
    person.refresh_from_db()
    assert person.display_name == "그대로"
