"""Links inside a site are relative (they work on whatever host and port the site is served);
links in mails are absolute, from the municipality's Site with its port."""

import re

import pytest
from django.core import mail

from participation.notify import notify
from tests.factories import UserFactory
from tests.participation.factories import publish, submit

pytestmark = pytest.mark.django_db

HOST = "gyeongnam.test:8000"


def _hrefs(html):
    """Links a person follows or posts to: the body's, not the head's canonical address."""
    body = html.split("</head>", 1)[-1]
    return re.findall(r'(?:href|action|hx-post|hx-get)="([^"]*)"', body)


@pytest.fixture
def served_on_8000(town):
    town.site.port = 8000
    town.site.save()  # and Wagtail forgets its cached site addresses
    return town


@pytest.fixture
def live_proposal(client, served_on_8000):
    proposal = submit(client, served_on_8000, UserFactory())
    return publish(client, served_on_8000, proposal)


def test_every_link_on_proposal_pages_is_relative_to_the_request(
    client, served_on_8000, live_proposal
):
    client.force_login(UserFactory())
    for path in ["/", served_on_8000.index.get_url(), live_proposal.get_url()]:
        html = client.get(path, HTTP_HOST=HOST).content.decode()
        hrefs = _hrefs(html)
        assert any("support/" in h for h in hrefs) or path != live_proposal.get_url()
        assert [h for h in hrefs if "gyeongnam.test" in h] == [], path


def test_redirect_after_following_stays_on_the_requests_host(client, served_on_8000, live_proposal):
    client.force_login(UserFactory())
    response = client.post(
        served_on_8000.url(
            "follow", content_type_id=live_proposal.content_type_id, object_id=live_proposal.pk
        ),
        {"action": "follow"},
        HTTP_HOST=HOST,
    )
    assert response.status_code == 302
    assert response["Location"] == live_proposal.get_url()
    assert response["Location"].startswith("/")


def test_notification_mail_links_carry_the_sites_port(served_on_8000, live_proposal, run_jobs):
    mail.outbox.clear()
    citizen = UserFactory()
    with run_jobs():
        notify([citizen], "implementation", live_proposal, "공사 시작")
    body = mail.outbox[-1].body
    assert f"http://gyeongnam.test:8000{live_proposal.get_url()}" in body
    assert "http://gyeongnam.test:8000/proposals/unsubscribe/" in body
