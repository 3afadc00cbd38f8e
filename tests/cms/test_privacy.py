"""Privacy notice and terms in every footer, consent at sign-up, and a person's own data."""

import io
import json
import zipfile

import pytest
from django.core import mail

from cms.models import Consent, MunicipalitySettings, User
from tests.cms.test_accounts import SIGNUP
from tests.factories import ContentPageFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def notices(province):
    config = MunicipalitySettings.for_site(province)
    home = province.root_page
    config.privacy_page = ContentPageFactory(parent=home, title="개인정보 처리방침", slug="privacy")
    config.terms_page = ContentPageFactory(parent=home, title="이용약관", slug="terms")
    config.consent_purposes = "회원 관리와 참여"
    config.consent_items = "이메일, 표시 이름"
    config.consent_retention = "탈퇴할 때까지"
    config.consent_version = "2026-11"
    config.save()
    return config


def test_every_page_links_the_privacy_notice_and_terms(client, notices):
    for path in ("/", "/accounts/login/", "/no-such-page/", "/privacy/"):
        html = client.get(path, HTTP_HOST="gyeongnam.test").content.decode()
        assert '<a class="site-footer__privacy" href="/privacy/">개인정보 처리방침</a>' in html
        assert '<a href="/terms/">이용약관</a>' in html


def test_sign_up_shows_what_is_collected_and_is_refused_without_consent(client, notices):
    page = client.get("/accounts/signup/", HTTP_HOST="gyeongnam.test").content.decode()
    for text in ("회원 관리와 참여", "이메일, 표시 이름", "탈퇴할 때까지", 'href="/privacy/"'):
        assert text in page
    refused = {key: value for key, value in SIGNUP.items() if key != "consent_privacy"}
    response = client.post("/accounts/signup/", refused, HTTP_HOST="gyeongnam.test")
    assert response.status_code == 200
    assert "개인정보 수집·이용에 동의해야 가입할 수 있습니다." in response.content.decode()
    assert not User.objects.exists()
    assert not Consent.objects.exists()
    assert not mail.outbox


def test_consent_is_recorded_with_version_wording_and_time(client, notices, run_jobs):
    with run_jobs():
        response = client.post("/accounts/signup/", SIGNUP, HTTP_HOST="gyeongnam.test")
    assert response.status_code == 302
    user = User.objects.get(email=SIGNUP["email"])
    consents = {c.kind: c for c in user.consents.all()}
    assert set(consents) == {"privacy", "terms"}
    privacy = consents["privacy"]
    assert privacy.version == "2026-11"
    assert privacy.site == notices.site
    assert privacy.terms["items"] == "이메일, 표시 이름"
    assert privacy.given_at is not None


def test_my_data_shows_and_downloads_what_the_platform_holds(client, province):
    user = UserFactory(display_name="김민지", email="minji@example.com")
    Consent.objects.create(user=user, site=province, kind="privacy", version="v1")
    other = UserFactory(display_name="남의 이름")
    client.force_login(user)

    page = client.get("/accounts/data/", HTTP_HOST="gyeongnam.test")
    assert page.status_code == 200
    html = page.content.decode()
    assert "minji@example.com" in html and "김민지" in html
    assert other.email not in html

    response = client.get("/accounts/data/download/", HTTP_HOST="gyeongnam.test")
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    data = json.loads(archive.read("data.json"))
    assert data["account"][0]["email"] == "minji@example.com"
    assert data["consents"][0]["version"] == "v1"
    assert {"proposals", "supports", "comments", "poll_participation"} <= set(data)
    assert "account.csv" in archive.namelist()
    assert other.email not in archive.read("data.json").decode()


def test_my_data_needs_a_signed_in_person(client, province):
    response = client.get("/accounts/data/download/", HTTP_HOST="gyeongnam.test")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_staff_choose_the_notice_pages_and_consent_text_in_the_admin(client, notices):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = f"/admin/settings/cms/municipalitysettings/{notices.site.pk}/"
    html = client.get(url, HTTP_HOST="gyeongnam.test").content.decode()
    assert "개인정보와 약관" in html
    assert 'name="privacy_page"' in html and 'name="consent_version"' in html
