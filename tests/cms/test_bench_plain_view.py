"""The load test's plain-view baseline is served only where BENCH_PLAIN_VIEW turns it on."""

import importlib

from django.urls import clear_url_caches


def test_plain_view_is_off_by_default_and_answers_when_on(client, city, settings):
    assert client.get("/bench/plain/", HTTP_HOST="changwon.test").status_code == 404

    import cms.urls

    settings.BENCH_PLAIN_VIEW = True
    try:
        importlib.reload(cms.urls)
        clear_url_caches()
        response = client.get("/bench/plain/", HTTP_HOST="changwon.test")
        assert response.status_code == 200
        assert response.content == b"ok"
    finally:
        settings.BENCH_PLAIN_VIEW = False
        importlib.reload(cms.urls)
        clear_url_caches()
