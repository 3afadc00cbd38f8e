"""A municipality's settings are kept per process and content generation (cms/site_settings.py):
read once, not on every page, and an edit shows on the very next request."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cms.models import MunicipalitySettings
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def settings_queries(queries):
    return [q["sql"] for q in queries if "cms_municipalitysettings" in q["sql"]]


def test_settings_are_read_once_and_an_edit_shows_at_once(client, city):
    client.force_login(UserFactory())  # signed in: no page cache in the way
    client.get("/", HTTP_HOST="changwon.test")
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/", HTTP_HOST="changwon.test")
    assert first.status_code == 200 and "창원특례시" in first.content.decode()
    assert settings_queries(queries) == []  # kept from the request before

    config = MunicipalitySettings.for_site(city)
    config.name_ko = "창원특례시청"
    config.save()  # as the admin's settings form does
    with CaptureQueriesContext(connection) as queries:
        edited = client.get("/", HTTP_HOST="changwon.test")
    assert "창원특례시청" in edited.content.decode()
    assert len(settings_queries(queries)) == 1  # read again once, after the edit


def test_a_request_changing_its_copy_changes_nobody_elses(city):
    from cms.site_settings import _request

    token = _request.set({})
    try:
        mine = MunicipalitySettings.for_site(city)
        mine.name_ko = "바뀐 이름"  # not saved
    finally:
        _request.reset(token)
    token = _request.set({})
    try:
        assert MunicipalitySettings.for_site(city).name_ko == "창원특례시"
    finally:
        _request.reset(token)
