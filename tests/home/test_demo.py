"""`seed_demo` builds a province and its city with content, and can run again safely."""

import io

import pytest
from django.core.management import call_command
from wagtail.models import Page, Site

from cms.models import MunicipalitySettings, User

pytestmark = pytest.mark.django_db


def counts():
    return (Site.objects.count(), Page.objects.count(), User.objects.count())


def test_seed_demo_builds_two_municipalities_and_is_idempotent(client):
    call_command("seed_demo", stdout=io.StringIO())
    first = counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert counts() == first

    province = Site.objects.get(hostname="gyeongnam.localhost")
    city = Site.objects.get(hostname="changwon.localhost")
    assert province.is_default_site
    assert MunicipalitySettings.for_site(province).kind == "province"
    assert MunicipalitySettings.for_site(city).parent_province == province

    province_home = client.get("/", HTTP_HOST="gyeongnam.localhost:8000").content.decode()
    city_home = client.get("/", HTTP_HOST="changwon.localhost:8000").content.decode()
    assert "경남 도민참여 플랫폼" in province_home
    assert "창원특례시" in province_home  # the province lists its city
    assert "창원시민 참여마당" in city_home
    assert client.get("/about/", HTTP_HOST="changwon.localhost:8000").status_code == 200
    assert client.get("/privacy/", HTTP_HOST="gyeongnam.localhost:8000").status_code == 200


def test_demo_accounts_can_log_in(client):
    call_command("seed_demo", stdout=io.StringIO())
    for email in ("citizen1@example.com", "staff.changwon@example.com", "admin@example.com"):
        assert client.login(email=email, password="demo-pass-2026"), email
        client.logout()
