"""Who may vote: each rule and its message, residency requests, census import and review."""

import datetime
import hashlib
import hmac
import io

import pytest
from allauth.account.models import EmailAddress
from django.db import connection
from django.utils import timezone

from tests.factories import StaffFactory, UserFactory
from tests.voting.factories import make_poll, poll_index, verify
from voting import eligibility
from voting.eligibility import Rule
from voting.hashing import census_hash
from voting.models import CensusEntry, VerificationRequest, VoterVerification, VotingSettings

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
    VerificationRequest.objects.create(
        user=citizen, site=city, identifier_hash="a" * 64, birth_date=years_ago(30)
    )
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


# The hashing recipe


def test_census_hash_follows_the_documented_recipe(city):
    key = VotingSettings.for_site(city).census_key
    expected = hmac.new(key.encode(), b"9001011234567", hashlib.sha256).hexdigest()
    assert census_hash(key, "900101-1234567") == expected
    assert census_hash(key, " 900101 1234567 ") == expected
    full_width = "".join(chr(0xFF10 + int(d)) if d.isdigit() else d for d in "900101-1234567")
    assert census_hash(key, full_width) == expected
    assert census_hash("another key", "900101-1234567") != expected


# Citizens asking to be recognised


def eligibility_url(city):
    return poll_index(city).url + "eligibility/"


def census_entry(city, raw=RAW_ID, born=datetime.date(1990, 1, 1), district=""):
    key = VotingSettings.for_site(city).census_key
    return CensusEntry.objects.create(
        site=city, identifier_hash=census_hash(key, raw), birth_date=born, district=district
    )


def no_row_holds(text):
    """No column of any table holds this text (a raw identifier, a receipt)."""
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from introspection
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, str) and text in value:
                        return False
    return True


def test_eligibility_page_lists_what_is_missing(client, city):
    user = UserFactory(language="en")
    client.force_login(user)
    html = client.get(eligibility_url(city), **HOST).content.decode()
    assert "Email address: verified." in html
    assert "Residency: not confirmed yet." in html
    assert "Resident registration number" in html


def test_eligibility_page_needs_login(client, city):
    response = client.get(eligibility_url(city), **HOST)
    assert response.status_code == 302


def test_census_match_verifies_at_once_without_keeping_the_number(client, city):
    census_entry(city, district="의창구")
    user = UserFactory(language="en")
    client.force_login(user)
    response = client.post(
        eligibility_url(city), {"identifier": RAW_ID, "birth_date": "1990-01-01"}, **HOST
    )
    assert response.status_code == 302
    verification = VoterVerification.objects.get(user=user)
    assert verification.method == "census"
    assert verification.district == "의창구"
    assert eligibility.check(user, city).allowed
    html = client.get(response["Location"], **HOST).content.decode()
    assert "You are now recognised as a resident." in html
    assert no_row_holds("9001011234567") and no_row_holds(RAW_ID)


def test_no_census_match_waits_for_staff(client, city):
    census_entry(city, born=datetime.date(1991, 1, 1))  # the date of birth differs
    user = UserFactory(language="en")
    client.force_login(user)
    client.post(eligibility_url(city), {"identifier": RAW_ID, "birth_date": "1990-01-01"}, **HOST)
    assert not VoterVerification.objects.exists()
    request = VerificationRequest.objects.get(user=user)
    assert request.status == "pending"
    html = client.get(eligibility_url(city), **HOST).content.decode()
    assert "Residency: your request is waiting for review by staff." in html
    assert 'name="identifier"' not in html
    # Asking again changes nothing.
    client.post(eligibility_url(city), {"identifier": "1", "birth_date": "1990-01-01"}, **HOST)
    assert VerificationRequest.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"identifier": "12", "birth_date": "1990-01-01"}, "Enter your identifier as printed"),
        (
            {"identifier": "<b>9001011234567</b>", "birth_date": "1990-01-01"},
            "Enter your identifier",
        ),
        ({"identifier": RAW_ID, "birth_date": "2999-01-01"}, "Enter your real date of birth."),
        ({"identifier": RAW_ID, "birth_date": "yesterday"}, "Enter a valid date."),
        ({"identifier": "", "birth_date": ""}, "This field is required."),
    ],
)
def test_bad_requests_are_refused_and_change_nothing(client, city, data, message):
    user = UserFactory(language="en")
    client.force_login(user)
    response = client.post(eligibility_url(city), data, **HOST)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not VerificationRequest.objects.exists()


def test_district_is_asked_where_the_municipality_has_districts(client, city):
    config = VotingSettings.for_site(city)
    config.districts = "의창구\n성산구"
    config.save()
    user = UserFactory(language="en")
    client.force_login(user)
    response = client.post(
        eligibility_url(city),
        {"identifier": RAW_ID, "birth_date": "1990-01-01", "district": "강남구"},
        **HOST,
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    client.post(
        eligibility_url(city),
        {"identifier": RAW_ID, "birth_date": "1990-01-01", "district": "성산구"},
        **HOST,
    )
    assert VerificationRequest.objects.get().district == "성산구"


def test_one_identity_cannot_verify_two_accounts(client, city):
    census_entry(city)
    first, second = UserFactory(language="en"), UserFactory(language="en")
    for user in (first, second):
        client.force_login(user)
        response = client.post(
            eligibility_url(city), {"identifier": RAW_ID, "birth_date": "1990-01-01"}, **HOST
        )
    assert response.status_code == 400
    assert "already linked to another account" in response.content.decode()
    assert list(VoterVerification.objects.values_list("user", flat=True)) == [first.pk]


# Staff: census import and review


def census_csv(city, rows, header="identifier_hash,birth_date,district"):
    key = VotingSettings.for_site(city).census_key
    lines = [header]
    for raw, born, district in rows:
        lines.append(f"{census_hash(key, raw) if raw else 'xyz'},{born},{district}")
    upload = io.BytesIO("\n".join(lines).encode())
    upload.name = "census.csv"
    return upload


@pytest.fixture
def staff_client(client, city):
    staff = StaffFactory(language="en")
    client.force_login(staff)
    return client


def test_census_upload_imports_and_verifies_waiting_requests(staff_client, city):
    user = UserFactory()
    VerificationRequest.objects.create(
        user=user,
        site=city,
        identifier_hash=census_hash(VotingSettings.for_site(city).census_key, RAW_ID),
        birth_date=datetime.date(1990, 1, 1),
    )
    census_entry(city, raw="old-resident-1")
    page = staff_client.get("/admin/voting/census/", **HOST).content.decode()
    assert VotingSettings.for_site(city).census_key in page
    assert "HMAC-SHA256" in page
    upload = census_csv(
        city, [(RAW_ID, "1990-01-01", "의창구"), ("8001012345678", "1980-01-01", "")]
    )
    response = staff_client.post(
        "/admin/voting/census/", {"site": city.pk, "file": upload}, follow=True, **HOST
    )
    assert "Imported 2 residents for 창원특례시. 1 waiting request was verified." in (
        response.content.decode()
    )
    assert CensusEntry.objects.filter(site=city).count() == 2  # the old census is replaced
    assert VoterVerification.objects.get(user=user).district == "의창구"
    assert VerificationRequest.objects.get(user=user).status == "approved"


def test_invalid_census_reports_lines_and_imports_nothing(staff_client, city):
    census_entry(city)
    upload = census_csv(
        city,
        [
            ("8001012345678", "1980-01-01", ""),
            (None, "1980-01-01", ""),
            ("7001012345678", "1970-13-01", ""),
            ("8001012345678", "1980-01-01", ""),
        ],
    )
    response = staff_client.post("/admin/voting/census/", {"site": city.pk, "file": upload}, **HOST)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported." in html
    assert "Line 3: the identifier hash is not 64 hexadecimal characters." in html
    assert "Line 4: the date of birth is not a date like 1990-01-31." in html
    assert "Line 5: the same identifier as line 2." in html
    assert CensusEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"name,birth\nx,y\n", "The first line must be"),
        (b"identifier_hash,birth_date\n", "The file has no residents in it."),
        ("identifier_hash,birth_date\n".encode("utf-16"), "The file is not UTF-8 text."),
    ],
)
def test_bad_census_files(staff_client, city, content, message):
    upload = io.BytesIO(content)
    upload.name = "census.csv"
    response = staff_client.post("/admin/voting/census/", {"site": city.pk, "file": upload}, **HOST)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CensusEntry.objects.exists()


def test_citizens_cannot_reach_the_staff_views(client, city, citizen):
    client.force_login(citizen)
    for url in ("/admin/voting/census/", "/admin/voting/requests/"):
        assert client.get(url, **HOST).status_code in (302, 403)


def test_staff_approve_and_reject_requests(staff_client, client, city):
    alice, bob = UserFactory(language="en"), UserFactory(language="en")
    for user, digest in ((alice, "a" * 64), (bob, "b" * 64)):
        VerificationRequest.objects.create(
            user=user, site=city, identifier_hash=digest, birth_date=datetime.date(1990, 1, 1)
        )
    html = staff_client.get("/admin/voting/requests/", **HOST).content.decode()
    assert alice.display_name in html and alice.email not in html
    first, second = VerificationRequest.objects.order_by("pk")
    url = "/admin/voting/requests/{}/decide/"
    staff_client.post(url.format(first.pk), {"decision": "approve"}, **HOST)
    verification = VoterVerification.objects.get(user=alice)
    assert verification.method == "manual" and verification.verified_by is not None
    # A rejection needs a reason, which the citizen then reads.
    response = staff_client.post(url.format(second.pk), {"decision": "reject"}, follow=True, **HOST)
    assert "Give the citizen a reason for the rejection." in response.content.decode()
    assert VerificationRequest.objects.get(pk=second.pk).status == "pending"
    staff_client.post(
        url.format(second.pk), {"decision": "reject", "reason": "서류가 흐립니다."}, **HOST
    )
    client.force_login(bob)
    html = client.get(eligibility_url(city), **HOST).content.decode()
    assert "Your previous request was not approved. 서류가 흐립니다." in html
    assert 'name="identifier"' in html  # they may ask again


def test_requests_list_has_a_fixed_query_count(staff_client, city, django_assert_max_num_queries):
    for n in range(40):
        VerificationRequest.objects.create(
            user=UserFactory(), site=city, identifier_hash=f"{n:064x}", birth_date="1990-01-01"
        )
    with django_assert_max_num_queries(40):
        response = staff_client.get("/admin/voting/requests/", **HOST)
    assert response.status_code == 200
    assert response.content.decode().count('name="decision" value="approve"') == 25
