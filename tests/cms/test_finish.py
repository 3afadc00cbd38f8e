"""What makes the public site look finished: font, icons, error pages, particles, mails."""

import io

import pytest
from django.core import mail
from django.template import Context, Template
from django.test import override_settings
from django.utils import translation
from django.views.defaults import server_error
from PIL import Image

from cms.mail_console import EmailBackend

pytestmark = pytest.mark.django_db


def test_the_krds_font_is_served_from_our_static_files(client):
    css = b"".join(client.get("/static/cms/css/site.css").streaming_content).decode()
    assert 'font-family: "Pretendard GOV"' in css
    response = client.get("/static/vendor/krds/fonts/PretendardGOV-Regular.subset.woff2")
    assert response.status_code == 200
    assert b"".join(response.streaming_content)[:4] == b"wOF2"


@pytest.mark.parametrize("size", [32, 180, 192, 512])
def test_icons_are_drawn_from_the_municipality_in_every_size(client, city, size):
    response = client.get(f"/icon-{size}.png", HTTP_HOST="changwon.test")
    assert response.status_code == 200
    assert Image.open(io.BytesIO(response.content)).size == (size, size)


def test_an_icon_size_not_offered_is_not_found(client, city):
    assert client.get("/icon-33.png", HTTP_HOST="changwon.test").status_code == 404


def test_the_manifest_names_the_municipality_and_its_icons(client, city):
    manifest = client.get("/manifest.webmanifest", HTTP_HOST="changwon.test").json()
    assert manifest["name"] == "창원특례시"
    assert manifest["theme_color"] == "#00695c"
    assert [icon["src"] for icon in manifest["icons"]] == ["/icon-192.png", "/icon-512.png"]


def test_not_found_is_korean_and_in_the_sites_look(client, city):
    response = client.get("/no-such-page/", HTTP_HOST="changwon.test")
    assert response.status_code == 404
    html = response.content.decode()
    assert "요청하신 페이지를 찾을 수 없습니다" in html
    assert "창원특례시" in html  # the site's header and footer
    assert 'class="site-header"' in html


def test_the_server_error_page_needs_no_database(rf, django_assert_num_queries):
    with translation.override("ko"), django_assert_num_queries(0):
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    html = response.content.decode()
    assert "일시적인 오류가 발생했습니다" in html
    assert "/static/cms/css/site.css" in html


@pytest.mark.parametrize(
    ("word", "particle", "korean"),
    [
        ("창원특례시", "은", "창원특례시는"),
        ("경상남도", "으로", "경상남도로"),
        ("서울시청", "이", "서울시청이"),
        ("487806915263", "가", "487806915263이"),
        ("10", "가", "10이"),
        ("“공원 놀이터”", "을", "“공원 놀이터”를"),
    ],
)
def test_particles_follow_the_word_before_them(word, particle, korean):
    template = Template("{% load korean %}{{ word|josa:particle }}")
    with translation.override("ko"):
        assert template.render(Context({"word": word, "particle": particle})) == korean
    with translation.override("en"):
        assert template.render(Context({"word": word, "particle": particle})) == word


def test_no_catalogue_hedges_its_particles():
    from pathlib import Path

    hedges = ("이(가)", "을(를)", "은(는)", "과(와)", "(으)로")
    for po in Path(".").glob("*/locale/ko/LC_MESSAGES/django.po"):
        text = po.read_text(encoding="utf-8")
        strings = [line for line in text.splitlines() if line.startswith(("msgstr", '"'))]
        assert not [s for s in strings if any(h in s for h in hedges)], po


def test_demo_mails_in_the_terminal_read_in_korean():
    stream = io.StringIO()
    message = mail.EmailMultiAlternatives(
        "“버스 정류장 그늘막” 제안이 게시되었습니다",
        "본문입니다.",
        "noreply@example.com",
        ["a@example.com"],
    )
    message.attach_alternative("<p>본문입니다.</p>", "text/html")
    with override_settings(EMAIL_BACKEND="cms.mail_console.EmailBackend"):
        EmailBackend(stream=stream).send_messages([message])
    printed = stream.getvalue()
    assert "Subject: “버스 정류장 그늘막” 제안이 게시되었습니다" in printed
    assert "본문입니다." in printed
    assert "=?utf-8?" not in printed
