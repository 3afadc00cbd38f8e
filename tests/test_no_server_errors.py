"""No request a user can make returns a 500: every page and route of the demo, fed junk."""

import io
import itertools

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.urls import URLResolver
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.models import Page

from cms.models import User

pytestmark = pytest.mark.django_db

JUNK_QUERY = {
    "page": "-1x",
    "sort": "<script>",
    "stage": "\x00",
    "topic": "999999999999999999999",
    "area": "abc",
    "q": "' OR 1=1 --" * 20,
    "status": "nope",
    "after": "zz",
    "next": "javascript:alert(1)",
}
JUNK_FORM = {
    "title": "",
    "body": "<img src=x onerror=alert(1)>" * 50,
    "reason": "x" * 5000,
    "choice": "not-a-number",
    "option": "-5",
    "receipt": "'; DROP TABLE",
    "position": "sideways",
    "value": "7",
    "language": "xx",
}


def argument_choices():
    """Values to try for route arguments: a real object, a missing one, an unsuitable type."""
    real_page = Page.objects.live().filter(depth__gt=3).order_by("pk").first()
    return {
        "int": [real_page.pk, 999999],
        "content_type_id": [
            ContentType.objects.get_for_model(real_page.specific_class).pk,
            ContentType.objects.get_for_model(User).pk,
        ],
        "str": ["not-a-token"],
    }


def route_urls(page, path, choices):
    for pattern in page.get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            continue
        converters = getattr(pattern.pattern, "converters", {})
        names = list(converters)
        options = [
            choices["content_type_id"]
            if name == "content_type_id"
            else choices["int" if converters[name].regex == "[0-9]+" else "str"]
            for name in names
        ]
        for values in itertools.product(*options):
            kwargs = dict(zip(names, values, strict=True))
            yield path + page.reverse_subpage(pattern.name, kwargs=kwargs)


def demo_urls():
    """Every live page of the demo, and every route of routable pages with sample arguments."""
    choices = argument_choices()
    urls = []
    for page in Page.objects.live().specific().filter(depth__gt=1):
        _site_id, root_url, path = page.get_url_parts()
        host = root_url.split("://", 1)[1]
        urls.append((host, path))
        if isinstance(page, RoutablePageMixin):
            urls.extend((host, url) for url in route_urls(page, path, choices))
    return sorted(set(urls))


@pytest.fixture
def demo(settings):
    call_command("seed_demo", stdout=io.StringIO())
    return demo_urls()


@pytest.mark.parametrize("who", ["anonymous", "citizen"])
def test_no_page_or_route_answers_with_a_server_error(client, demo, who):
    if who == "citizen":
        client.force_login(User.objects.get(email="citizen1@example.com"))
    assert len(demo) > 60
    errors = []
    for host, path in demo:
        for method, data in (("get", {}), ("get", JUNK_QUERY), ("post", {}), ("post", JUNK_FORM)):
            response = getattr(client, method)(path, data, HTTP_HOST=host)
            if response.status_code >= 500:
                errors.append(
                    f"{method.upper()} {host}{path} {data and 'junk'} -> {response.status_code}"
                )
    assert errors == []
