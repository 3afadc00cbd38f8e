"""Who may support (공감): a municipality setting, residents by default.

Supports that do not meet the rule are refused, so the threshold counts only supports
that met the rule when they were given.
"""

import pytest

from cms.models import MunicipalitySettings
from participation.models import Support
from tests.factories import StaffFactory, UserFactory, make_municipality
from tests.participation.factories import publish, setup_municipality, submit, support
from tests.voting.factories import verify

pytestmark = pytest.mark.django_db


def collecting(client, site, rule):
    town = setup_municipality(site, support_rule=rule)
    proposal = publish(client, town, submit(client, town, UserFactory()))
    return town, proposal


def test_residents_is_the_default_rule(city):
    assert MunicipalitySettings.for_site(city).support_rule == "residents"


def test_residents_rule_refuses_non_residents_and_says_what_to_do(client, city):
    from tests.voting.factories import poll_index

    poll_index(city)
    town, proposal = collecting(client, city, "residents")
    outsider = UserFactory(language="en")
    client.cookies["django_language"] = "en"
    response = support(client, town, proposal, outsider)
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.support_count == 0 and not Support.objects.exists()
    html = client.get(proposal.url, HTTP_HOST=town.host).content.decode()
    assert "Only verified residents of Changwon may support its proposals." in html
    assert "Confirm that you live here" in html
    assert "/polls/eligibility/" in html
    assert "Support (공감)" not in html

    verify(outsider, city)
    support(client, town, proposal, outsider)
    proposal.refresh_from_db()
    assert proposal.support_count == 1 == Support.objects.filter(proposal=proposal).count()


def test_htmx_refusal_is_a_403_with_the_reason(client, city):
    town, proposal = collecting(client, city, "residents")
    client.cookies["django_language"] = "en"
    client.force_login(UserFactory(language="en"))
    response = client.post(
        town.url("support", proposal_id=proposal.pk),
        {"action": "support"},
        HTTP_HOST=town.host,
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 403
    assert "Only verified residents of Changwon" in response.content.decode()


def test_email_rule_lets_any_verified_email_support(client, city):
    town, proposal = collecting(client, city, "email")
    support(client, town, proposal, UserFactory())
    proposal.refresh_from_db()
    assert proposal.support_count == 1


def test_staff_of_another_city_do_not_count_for_this_one(client, province, city):
    gimhae = make_municipality("gimhae.test", "김해시", province=province, name_en="Gimhae")
    town, proposal = collecting(client, gimhae, "residents")
    changwon_staff = StaffFactory(display_name="창원시 직원")
    verify(changwon_staff, city)
    support(client, town, proposal, changwon_staff)
    proposal.refresh_from_db()
    assert proposal.support_count == 0 and not Support.objects.exists()


def test_city_residents_count_for_the_province(client, province, city):
    town, proposal = collecting(client, province, "residents")
    resident = UserFactory()
    verify(resident, city)
    support(client, town, proposal, resident)
    proposal.refresh_from_db()
    assert proposal.support_count == 1


def test_supports_given_under_the_rule_keep_counting_when_it_changes(client, city):
    town, proposal = collecting(client, city, "email")
    support(client, town, proposal, UserFactory())
    config = MunicipalitySettings.for_site(city)
    config.support_rule = "residents"
    config.save()
    support(client, town, proposal, UserFactory())
    proposal.refresh_from_db()
    assert proposal.support_count == 1 == Support.objects.count()
