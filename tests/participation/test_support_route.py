"""The support box posts to a route of its own (`/-/proposals/<id>/support/`), outside the
page tree, so that a support costs no page routing: it must answer exactly as the proposal's
own route does, and only for proposals of the site the request came in on."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from participation.models import ProposalPage, Support
from tests.factories import UserFactory
from tests.participation.factories import publish, submit


def direct_url(proposal):
    return f"/-/proposals/{proposal.pk}/support/"


def test_the_support_box_posts_to_its_own_route_and_counts_once(client, town, citizen):
    proposal = publish(client, town, submit(client, town, citizen))
    supporter = UserFactory()
    client.force_login(supporter)
    page = client.get(proposal.get_url(), HTTP_HOST=town.host).content.decode()
    assert f'action="{direct_url(proposal)}"' in page

    for _ in range(2):  # a double click
        response = client.post(
            direct_url(proposal), {"action": "support"}, HTTP_HOST=town.host, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert html.lstrip().startswith('<section class="support-box"')
        assert "<strong>1</strong>" in html and 'value="withdraw"' in html
    assert Support.objects.filter(proposal=proposal).count() == 1

    response = client.post(direct_url(proposal), {"action": "withdraw"}, HTTP_HOST=town.host)
    assert response.status_code == 302 and response["Location"] == proposal.get_url()
    proposal.refresh_from_db()
    assert proposal.support_count == 0 and not Support.objects.exists()


def test_a_support_costs_a_handful_of_queries(client, town, citizen):
    proposal = publish(client, town, submit(client, town, citizen))
    client.force_login(UserFactory())
    client.get(proposal.get_url(), HTTP_HOST=town.host)  # the settings and Site, once a process
    # Session, user, proposal, the two write facts in one, INSERT and UPDATE … RETURNING,
    # the follow (look up, insert); the rule's settings are kept per process and generation,
    # the rate limit is counted in Redis, and no page is routed.
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            direct_url(proposal),
            {"action": "support", "follow": "1"},
            HTTP_HOST=town.host,
            HTTP_HX_REQUEST="true",
        )
    assert response.status_code == 200
    statements = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]  # the test's atomic
    assert len(statements) <= 8, "\n".join(sql[:120] for sql in statements)
    proposal.refresh_from_db()
    assert proposal.support_count == 1


def test_only_proposals_of_this_host_and_only_posts(client, town, city_town, citizen):
    theirs = publish(client, city_town, submit(client, city_town, citizen))
    client.force_login(UserFactory())
    response = client.post(direct_url(theirs), {"action": "support"}, HTTP_HOST=town.host)
    assert response.status_code == 404
    assert client.get(direct_url(theirs), HTTP_HOST=city_town.host).status_code == 405
    assert client.post("/-/proposals/999999/support/", HTTP_HOST=town.host).status_code == 404
    assert not Support.objects.exists()
    assert ProposalPage.objects.get(pk=theirs.pk).support_count == 0


def test_signed_out_people_are_sent_to_log_in(client, town, citizen):
    proposal = publish(client, town, submit(client, town, citizen))
    client.logout()
    response = client.post(direct_url(proposal), {"action": "support"}, HTTP_HOST=town.host)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Support.objects.exists()
