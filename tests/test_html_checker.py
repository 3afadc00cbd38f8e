"""Every public page type is valid HTML (the Nu Html Checker) and carries its head tags."""

import io
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from wagtail.models import Page

from cms.models import User

pytestmark = pytest.mark.django_db

VNU_JAR = Path(settings.BASE_DIR) / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
ROUTES = [
    "/accounts/login/",
    "/accounts/signup/",
    "/accounts/password/reset/",
    "/open-data/",
    "/no-such-page/",
]
CITIZEN_ROUTES = ["/accounts/profile/", "/accounts/data/", "/proposals/submit/", "/proposals/my/"]


def java():
    path = shutil.which("java")
    if path is None:
        if os.environ.get("BROWSER_TESTS") == "required" or os.environ.get("CI"):
            pytest.fail("java is missing; .ci/run installs default-jre-headless.")
        pytest.skip("java is not installed (apt-get install default-jre-headless); CI installs it.")
    return path


def one_page_per_type():
    """The first live page of every page type in the demo, as (host, path)."""
    seen, pages = set(), []
    for page in Page.objects.live().specific().filter(depth__gt=1).order_by("path"):
        if type(page) in seen:
            continue
        seen.add(type(page))
        _site_id, root_url, path = page.get_url_parts()
        pages.append((root_url.split("://", 1)[1], path))
    return pages


def fetch_pages(client, citizen_client):
    """The HTML of every public page type, anonymous and signed in."""
    call_command("seed_demo", stdout=io.StringIO())
    citizen_client.force_login(User.objects.get(email="citizen1@example.com"))
    fetched = {}
    for host, path in one_page_per_type():
        fetched[f"{host}{path}"] = client.get(path, HTTP_HOST=host)
        fetched[f"citizen {host}{path}"] = citizen_client.get(path, HTTP_HOST=host)
    for path in ROUTES:
        fetched[f"changwon{path}"] = client.get(path, HTTP_HOST="changwon.localhost")
    for path in CITIZEN_ROUTES:
        fetched[f"citizen changwon{path}"] = citizen_client.get(
            path, HTTP_HOST="changwon.localhost"
        )
    return fetched


def test_every_public_page_type_is_valid_html_with_its_head_tags(client, tmp_path):
    from django.test import Client

    binary = java()
    pages = fetch_pages(client, Client())
    page_types = {type(page).__name__ for page in Page.objects.live().specific()}
    assert {"HomePage", "ContentPage", "ProposalIndexPage", "ProposalPage"} <= page_types
    assert {"DebateIndexPage", "DebatePage", "PollIndexPage", "PollPage"} <= page_types
    for name, response in pages.items():
        expected = 404 if "no-such-page" in name else 200
        assert response.status_code == expected, name
    assert_head_tags(pages)

    files = {}
    for index, (name, response) in enumerate(pages.items()):
        file = tmp_path / f"page{index}.html"
        file.write_bytes(response.content)
        files[file.name] = name
    result = subprocess.run(  # noqa: S603 -- our own jar on our own files
        [binary, "-jar", str(VNU_JAR), "--errors-only", "--format", "json", "--exit-zero-always",
         *map(str, sorted(tmp_path.glob("*.html")))],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )  # fmt: skip
    messages = json.loads(result.stderr or result.stdout)["messages"]
    errors = [
        f"{files[Path(m['url'].split(':', 1)[1]).name]} line {m.get('lastLine')}: {m['message']}"
        for m in messages
        if m["type"] == "error" or m.get("subType") == "fatal"
    ]
    assert errors == []


def head(html, pattern):
    match = re.search(pattern, html)
    return match.group(1) if match else None


def assert_head_tags(pages):
    titles = {}
    for name, response in pages.items():
        html = response.content.decode()
        title = " ".join((head(html, r"(?s)<title>(.*?)</title>") or "").split())
        assert title and "|" in title, name
        titles[name] = title
        assert head(html, r'<meta name="description" content="([^"]+)">'), name
        canonical = head(html, r'<link rel="canonical" href="([^"]+)">')
        assert canonical and re.match(r"https?://[a-z.]+(:\d+)?/", canonical), name
        assert head(html, r'<meta property="og:url" content="([^"]+)">') == canonical, name
        assert head(html, r'<meta property="og:title" content="([^"]+)">'), name
        assert head(html, r'<meta property="og:site_name" content="([^"]+)">'), name
        assert head(html, r'<link rel="manifest" href="([^"]+)">') == "/manifest.webmanifest"
        assert head(html, r'<link rel="apple-touch-icon" href="([^"]+)">') == "/icon-180.png"
    # Log in and sign up have titles of their own, not the home page's.
    home = titles["gyeongnam.localhost:8000/"]  # the demo's sites carry the port it serves on
    assert titles["changwon/accounts/login/"].startswith("로그인")
    assert titles["changwon/accounts/signup/"].startswith("회원가입")
    assert home not in (titles["changwon/accounts/login/"], titles["changwon/accounts/signup/"])
    assert titles["changwon/no-such-page/"].startswith("페이지를 찾을 수 없습니다")
