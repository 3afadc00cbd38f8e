"""Korean first, English on request; the admin speaks Korean to Korean staff."""

import pytest

from tests.factories import StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_korean_is_the_default_whatever_the_browser_asks(client, province):
    response = client.get("/", HTTP_HOST="gyeongnam.test", HTTP_ACCEPT_LANGUAGE="en-US,en")
    assert response["Content-Language"] == "ko"
    assert '<html lang="ko">' in response.content.decode()
    assert "본문 바로가기" in response.content.decode()


def test_switching_to_english_and_back(client, province):
    response = client.post(
        "/language/", {"language": "en", "next": "/"}, HTTP_HOST="gyeongnam.test"
    )
    assert response.status_code == 302
    english = client.get("/", HTTP_HOST="gyeongnam.test")
    assert english["Content-Language"] == "en"
    assert "Skip to main content" in english.content.decode()

    client.post("/language/", {"language": "ko", "next": "/"}, HTTP_HOST="gyeongnam.test")
    assert client.get("/", HTTP_HOST="gyeongnam.test")["Content-Language"] == "ko"


def test_an_unknown_language_changes_nothing(client, province):
    client.post("/language/", {"language": "xx", "next": "/"}, HTTP_HOST="gyeongnam.test")
    assert client.get("/", HTTP_HOST="gyeongnam.test")["Content-Language"] == "ko"


def test_the_switch_is_saved_on_the_account(client, province):
    user = UserFactory()
    client.force_login(user)
    client.post("/language/", {"language": "en", "next": "/"})
    user.refresh_from_db()
    assert user.language == "en"

    other_browser = client.__class__()
    other_browser.force_login(user)
    assert other_browser.get("/", HTTP_HOST="gyeongnam.test")["Content-Language"] == "en"


def test_municipality_name_follows_the_language(client, city):
    client.post("/language/", {"language": "en", "next": "/"})
    assert "Changwon" in client.get("/", HTTP_HOST="changwon.test").content.decode()


def test_the_admin_speaks_korean(client, province):
    client.force_login(StaffFactory())
    response = client.get("/admin/")
    assert response.status_code == 200
    assert 'lang="ko"' in response.content.decode()
    assert "대시보드" in response.content.decode()
