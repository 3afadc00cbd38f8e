"""Each municipality is its own Wagtail Site, found by hostname, with its own settings and look."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from cms.models import MunicipalitySettings
from tests.factories import ContentPageFactory

pytestmark = pytest.mark.django_db


def test_each_hostname_serves_its_own_municipality(client, city):
    province_page = client.get("/", HTTP_HOST="gyeongnam.test")
    city_page = client.get("/", HTTP_HOST="changwon.test")

    assert province_page.status_code == city_page.status_code == 200
    assert "경상남도 참여 플랫폼" in province_page.content.decode()
    assert "창원특례시 참여 플랫폼" in city_page.content.decode()
    assert "창원특례시 참여 플랫폼" not in province_page.content.decode()


def test_unknown_hostname_falls_back_to_the_default_site(client, city):
    response = client.get("/", HTTP_HOST="elsewhere.test")
    assert "경상남도 참여 플랫폼" in response.content.decode()


def test_settings_are_per_site(city, province):
    assert MunicipalitySettings.for_site(city).name_ko == "창원특례시"
    assert MunicipalitySettings.for_site(province).name_ko == "경상남도"
    assert MunicipalitySettings.for_site(city).support_threshold == 100
    assert MunicipalitySettings.for_site(city).support_window_days == 30


def test_each_site_shows_its_colour_and_contact(client, city):
    config = MunicipalitySettings.for_site(city)
    config.contact_phone = "055-225-2114"
    config.footer_text = "창원시청 시민소통과"
    config.save()

    theme = client.get("/theme.css", HTTP_HOST="changwon.test").content.decode()
    province_theme = client.get("/theme.css", HTTP_HOST="gyeongnam.test").content.decode()
    page = client.get("/", HTTP_HOST="changwon.test").content.decode()

    assert "--colour-primary: #00695c" in theme
    assert "--colour-primary: #0b50d0" in province_theme
    assert 'href="tel:0552252114"' in page
    assert "창원시청 시민소통과" in page


def test_province_home_lists_its_cities_and_cities_link_back(client, city):
    province_page = client.get("/", HTTP_HOST="gyeongnam.test").content.decode()
    city_page = client.get("/", HTTP_HOST="changwon.test").content.decode()

    assert 'href="http://changwon.test/"' in province_page
    assert "창원특례시" in province_page
    assert 'href="http://gyeongnam.test/"' in city_page


def test_links_between_sites_use_each_sites_registered_port(client, city, province):
    """A site served on another port (the demo's :8000) is registered with it, and linked so."""
    for site in (city, province):
        site.port = 8000
        site.save()
    province_page = client.get("/", HTTP_HOST="gyeongnam.test:8000").content.decode()
    city_page = client.get("/", HTTP_HOST="changwon.test:8000").content.decode()
    assert 'href="http://changwon.test:8000/"' in province_page
    assert 'href="http://gyeongnam.test:8000/"' in city_page


def test_province_can_hide_its_city_list(client, city, province):
    home = province.root_page.specific
    home.show_member_municipalities = False
    home.save_revision().publish()
    assert (
        'href="http://changwon.test/"'
        not in client.get("/", HTTP_HOST="gyeongnam.test").content.decode()
    )


def test_content_page_lives_under_a_municipality(client, city):
    ContentPageFactory(parent=city.root_page, title="참여 방법", slug="about", intro="안내합니다")
    response = client.get("/about/", HTTP_HOST="changwon.test")
    assert response.status_code == 200
    assert "참여 방법" in response.content.decode()
    assert client.get("/about/", HTTP_HOST="gyeongnam.test").status_code == 404


def test_menu_shows_pages_marked_for_menus(client, city):
    ContentPageFactory(parent=city.root_page, title="참여 방법", slug="about", show_in_menus=True)
    ContentPageFactory(
        parent=city.root_page, title="숨은 페이지", slug="hidden", show_in_menus=False
    )
    page = client.get("/", HTTP_HOST="changwon.test").content.decode()
    assert "참여 방법" in page
    assert "숨은 페이지" not in page


@pytest.mark.parametrize(
    ("colour", "field_error"),
    [("#ffeb3b", "contrast"), ("#12345", "six hexadecimal"), ("blue", "six hexadecimal")],
)
def test_unreadable_or_malformed_colours_are_refused(city, colour, field_error):
    config = MunicipalitySettings.for_site(city)
    config.primary_colour = colour
    with translation.override("en"):
        with pytest.raises(ValidationError) as error:
            config.full_clean()
        assert field_error in str(error.value.message_dict["primary_colour"])


def test_a_province_cannot_belong_to_a_province(province, city):
    config = MunicipalitySettings.for_site(province)
    config.parent_province = city
    with pytest.raises(ValidationError) as error:
        config.full_clean()
    assert "parent_province" in error.value.message_dict


def test_staff_edit_municipality_settings_in_the_admin(client, city):
    from tests.factories import StaffFactory

    client.force_login(StaffFactory())
    config = MunicipalitySettings.for_site(city)
    url = f"/admin/settings/cms/municipalitysettings/{city.pk}/"
    form = client.get(url)
    assert form.status_code == 200

    data = {
        "name_ko": "창원특례시",
        "name_en": "Changwon",
        "kind": "city",
        "parent_province": config.parent_province_id,
        "primary_colour": "#ffeb3b",
        "support_threshold": 50,
        "support_window_days": 20,
        "support_rule": config.support_rule,
        "consent_version": config.consent_version,
        "data_licence": "cc-by-4.0",
    }
    refused = client.post(url, data)
    assert refused.status_code == 200
    config.refresh_from_db()
    assert config.primary_colour == "#00695c"
    assert config.support_threshold == 100

    data["primary_colour"] = "#6a1b9a"
    client.post(url, data)
    config.refresh_from_db()
    assert (config.primary_colour, config.support_threshold, config.support_window_days) == (
        "#6a1b9a",
        50,
        20,
    )
    assert config.data_licence == "cc-by-4.0"
