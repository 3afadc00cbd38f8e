"""A superuser adds a municipality from the Wagtail admin in one form, and it works at once."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image
from wagtail.models import GroupPagePermission, Page, Site, WorkflowPage

from cms.models import MunicipalitySettings
from participation.models import DebateIndexPage, ParticipationSettings, ProposalIndexPage, Topic
from tests.factories import StaffFactory, UserFactory
from voting.models import PollIndexPage

pytestmark = pytest.mark.django_db
URL = "/admin/municipalities/add/"


def _logo():
    data = io.BytesIO()
    Image.new("RGB", (40, 40), "#0b50d0").save(data, "PNG")
    return SimpleUploadedFile("logo.png", data.getvalue(), content_type="image/png")


def _data(province, **overrides):
    data = {
        "name_ko": "김해시",
        "name_en": "Gimhae",
        "title": "김해시민 참여마당",
        "slug": "gimhae",
        "hostname": "gimhae.test",
        "port": "443",
        "kind": "city",
        "parent_province": province.pk,
        "primary_colour": "#0b50d0",
        "support_threshold": "2",
        "support_window_days": "30",
        "support_rule": "residents",
    }
    data.update(overrides)
    return data


@pytest.fixture
def superuser_client(client, province):
    client.force_login(StaffFactory(is_superuser=True))
    return client


def test_one_form_makes_a_working_municipality(superuser_client, province):
    response = superuser_client.post(URL, {**_data(province), "logo_file": _logo()})
    assert response.status_code == 302, response.context["form"].errors
    site = Site.objects.get(hostname="gimhae.test")
    assert site.port == 443 and site.root_page.slug == "gimhae" and site.root_page.live
    config = MunicipalitySettings.for_site(site)
    assert (config.name_ko, config.name_en, config.parent_province) == (
        "김해시",
        "Gimhae",
        province,
    )
    assert config.logo is not None and config.support_threshold == 2
    for model, slug in (
        (ProposalIndexPage, "proposals"),
        (DebateIndexPage, "debates"),
        (PollIndexPage, "polls"),
    ):
        index = model.objects.child_of(site.root_page).get()
        assert index.slug == slug and index.live and index.show_in_menus
    assert Topic.objects.filter(site=site).count() == 5
    participation = ParticipationSettings.for_site(site)
    assert participation.moderators_group.name == "김해시 모더레이터"
    assert participation.committee_group.name == "김해시 위원회"
    editors = Group.objects.get(name="김해시 편집자")
    assert GroupPagePermission.objects.filter(group=editors, page=site.root_page).count() == 3
    index = ProposalIndexPage.objects.child_of(site.root_page).get()
    assert WorkflowPage.objects.filter(page=index).exists()

    home = superuser_client.get("/", HTTP_HOST="gimhae.test").content.decode()
    assert "김해시민 참여마당" in home
    for path in ("/proposals/", "/debates/", "/polls/"):
        assert f'href="{path}"' in home
        assert superuser_client.get(path, HTTP_HOST="gimhae.test").status_code == 200
    # The province lists its new city.
    assert "김해시" in superuser_client.get("/", HTTP_HOST="gyeongnam.test").content.decode()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"slug": "김해"}, "slug"),
        ({"hostname": "http://gimhae.test/"}, "hostname"),
        ({"primary_colour": "#ffff00"}, "primary_colour"),
        ({"name_en": ""}, "name_en"),
        ({"kind": "province"}, "parent_province"),
    ],
)
def test_bad_input_is_refused_in_korean_and_creates_nothing(
    superuser_client, province, change, field
):
    pages = Page.objects.count()
    response = superuser_client.post(URL, _data(province, **change))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors, errors
    assert any("\uac00" <= char <= "\ud7a3" for char in " ".join(errors[field]))
    assert Page.objects.count() == pages
    assert not Site.objects.filter(hostname__startswith="gimhae").exists()


def test_a_taken_slug_or_hostname_is_refused(superuser_client, province):
    superuser_client.post(URL, _data(province))
    response = superuser_client.post(URL, _data(province, name_ko="김해2"))
    assert response.status_code == 400
    assert {"slug", "hostname"} <= set(response.context["form"].errors)


def test_only_superusers_add_municipalities(client, province):
    client.force_login(StaffFactory(is_superuser=False))
    assert client.get(URL).status_code in {302, 403}
    client.force_login(UserFactory())
    assert client.get(URL).status_code in {302, 403}
