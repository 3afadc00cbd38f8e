import pytest
from wagtail.models import Page, Site

from tests.factories import UserFactory, make_municipality


@pytest.fixture(autouse=True)
def _isolated_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def province(db):
    Site.objects.filter(hostname="localhost").delete()
    Page.objects.filter(depth=2, slug="home").delete()
    return make_municipality(
        "gyeongnam.test", "경상남도", kind="province", default=True, name_en="Gyeongsangnam-do"
    )


@pytest.fixture
def city(province):
    return make_municipality(
        "changwon.test", "창원특례시", province=province, colour="#00695c", name_en="Changwon"
    )


@pytest.fixture
def citizen(db):
    return UserFactory(display_name="김민지")
