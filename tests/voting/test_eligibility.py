"""Who may vote: each rule and its message. Becoming a resident: tests/voting/test_identity.py."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.utils import timezone

from tests.factories import UserFactory
from tests.voting.factories import make_poll, verify
from voting import eligibility
from voting.eligibility import Rule
from voting.models import VerificationRequest, VotingSettings

pytestmark = pytest.mark.django_db
HOST = {"HTTP_HOST": "changwon.test"}
RAW_ID = "900101-1234567"


def years_ago(years):
    today = timezone.localdate()
    return today.replace(year=today.year - years)


# The rules, one by one


def test_anonymous_must_log_in(city):
    from django.contrib.auth.models import AnonymousUser

    decision = eligibility.check(AnonymousUser(), city)
    assert not decision.allowed
    assert decision.missing == ["login"]
    assert decision.reasons == ["Log in to take part."]


def test_unverified_email_is_missing(city):
    user = UserFactory(verified=False)
    verify(user, city)
    decision = eligibility.check(user, city)
    assert decision.missing == ["email"]
    assert decision.reasons == ["Verify your email address first."]


def test_residency_is_missing_with_the_municipality_name(city, citizen):
    decision = eligibility.check(citizen, city)
    assert decision.missing == ["residency"]
    assert decision.reasons == [
        "Confirm that you live in Changwon: only its residents may vote here."
    ]


def test_pending_request_is_reported(city, citizen):
    VerificationRequest.objects.create(user=citizen, site=city, birth_date=years_ago(30))
    decision = eligibility.check(citizen, city)
    assert decision.missing == ["residency_pending"]
    assert "is waiting for review" in decision.reasons[0]


def test_minimum_age_default_is_14(city, citizen):
    assert VotingSettings.for_site(city).minimum_age == 14
    verify(citizen, city, born=years_ago(14) + datetime.timedelta(days=1))
    decision = eligibility.check(citizen, city)
    assert decision.missing == ["age"]
    assert decision.reasons == ["You must be at least 14 years old to vote here."]
    assert eligibility.check(citizen, city, today=timezone.localdate() + datetime.timedelta(days=1))


def test_minimum_age_follows_the_site_setting_and_the_poll(city, citizen):
    verify(citizen, city, born=years_ago(16))
    assert eligibility.check(citizen, city).allowed
    config = VotingSettings.for_site(city)
    config.minimum_age = 18
    config.save()
    assert eligibility.check(citizen, city).missing == ["age"]
    assert eligibility.check(citizen, city, rule=Rule(minimum_age=16)).allowed


def test_district_rule(city, citizen):
    verify(citizen, city, district="의창구")
    assert eligibility.check(citizen, city, rule=Rule(district="의창구")).allowed
    decision = eligibility.check(citizen, city, rule=Rule(district="성산구"))
    assert decision.missing == ["district"]
    assert decision.reasons == ["Only residents of 성산구 may vote here."]


def test_several_reasons_at_once(city):
    user = UserFactory(verified=False)
    verify(user, city, born=years_ago(10))
    decision = eligibility.check(user, city, rule=Rule(district="성산구"))
    assert decision.missing == ["email", "age", "district"]
    assert len(decision.reasons) == 3


def test_city_residents_count_for_the_province(province, city, citizen):
    verify(citizen, city)
    assert eligibility.check(citizen, province).allowed
    other = UserFactory()
    verify(other, province)
    assert eligibility.check(other, city).missing == ["residency"]


def test_residency_can_be_waived(city, citizen):
    assert eligibility.check(citizen, city, rule=Rule(residents_only=False)).allowed
    config = VotingSettings.for_site(city)
    config.require_residency = False
    config.save()
    assert eligibility.check(citizen, city).allowed


def test_fully_eligible(city, citizen):
    verify(citizen, city)
    decision = eligibility.check(citizen, city)
    assert decision.allowed and decision.reasons == [] and decision.missing == []


def test_poll_page_shows_each_missing_step(client, city):
    poll = make_poll(city, district="성산구")
    user = UserFactory(language="en")
    verify(user, city, born=years_ago(10), district="의창구")
    EmailAddress.objects.filter(user=user).update(verified=False)
    client.force_login(user)
    html = client.get(poll.url, **HOST).content.decode()
    assert "Verify your email address first." in html
    assert "You must be at least 14 years old to vote here." in html
    assert "Only residents of 성산구 may vote here." in html
    assert "See what is missing" in html
