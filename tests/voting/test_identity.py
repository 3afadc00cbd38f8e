"""Becoming a verified resident lawfully: census, staff review of a document, identity provider.

No resident registration number anywhere; identifiers a database dump cannot reverse;
no disclosure that details are linked to another account; attempts counted atomically;
verifications kept for a retention period and deleted with the account.
"""

import datetime
import hashlib
import hmac
import io
import os
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from tests.factories import PASSWORD, StaffFactory, UserFactory, make_municipality
from tests.voting.factories import ensure_tree, poll_index, verify
from voting import eligibility, hashing, verification
from voting.models import CensusEntry, VerificationRequest, VoterVerification, VotingSettings

HOST = {"HTTP_HOST": "changwon.test"}
NAME, BORN, ROAD = "홍길동", datetime.date(1990, 1, 1), "중앙대로 151"
DETAILS = {"name": NAME, "birth_date": "1990-01-01", "code": ROAD}
NO_MATCH = "We could not confirm these details with the census."
GUESSES = [
    "가나",
    "다라",
    "마바",
    "사아",
    "자차",
    "카타",
    "파하",
    "거너",
    "더러",
    "머버",
    "서어",
    "저처",
]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _private_files(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def page_url(city, step=""):
    return poll_index(city).url + "eligibility/" + step


def add_resident(city, name=NAME, born=BORN, code=ROAD, district="의창구"):
    salt = VotingSettings.for_site(city).census_salt
    return CensusEntry.objects.create(
        site=city,
        identity_hash=hashing.census_hash(name, born, code, salt),
        birth_date=born,
        district=district,
    )


def rows_holding(text):
    """(table, value) of every stored string that contains the text."""
    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from introspection
            for row in cursor.fetchall():
                found += [(table, v) for v in row if isinstance(v, str) and text in v]
    return found


# The recipe


def test_census_hash_follows_the_documented_recipe():
    key = settings.CENSUS_KEY
    message = "홍길동|1990-01-01|중앙대로151".encode()
    password = hmac.new(key.encode(), message, hashlib.sha256).digest()
    expected = hashlib.scrypt(
        password, salt=b"abc", n=2**14, r=8, p=1, dklen=32, maxmem=64 * 1024 * 1024
    ).hex()
    assert hashing.census_hash(NAME, BORN, ROAD, "abc") == expected
    assert hashing.census_hash(" 홍 길동 ", BORN, "중앙대로  151", "abc") == expected
    assert hashing.census_hash(NAME, BORN, ROAD, "other salt") != expected
    assert hashing.census_hash(NAME, BORN, ROAD, "abc", key="another key") != expected


@pytest.mark.django_db
def test_a_dump_cannot_reverse_an_identity(client, city, citizen):
    """The key is in no table; the names and addresses are in no table; hashing the census
    space with any key but the environment's finds nobody."""
    add_resident(city)
    client.force_login(citizen)
    client.post(page_url(city), DETAILS, **HOST)
    assert VoterVerification.objects.get(user=citizen).method == "census"
    assert rows_holding(settings.CENSUS_KEY) == []
    assert rows_holding(NAME) == [] and rows_holding("중앙대로") == []
    # What an attacker with the dump (salt, birth date, hashes) but not the key computes:
    salt = VotingSettings.for_site(city).census_salt
    stored = set(CensusEntry.objects.values_list("identity_hash", flat=True))
    stored |= set(VoterVerification.objects.values_list("identity_hash", flat=True))
    for guessed_key in ("", settings.SECRET_KEY, salt, "census"):
        assert hashing.census_hash(NAME, BORN, ROAD, salt, key=guessed_key) not in stored
    assert hashing.census_hash(NAME, BORN, ROAD, salt) in stored


@pytest.mark.django_db
def test_hash_census_command_makes_an_importable_file(client, city, tmp_path):
    plain = tmp_path / "plain.csv"
    plain.write_text(
        "name,birth_date,code,district\n홍길동,1990-01-01,중앙대로 151,의창구\n"
        "김영희,1985-07-07,원이대로 450,\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    call_command("hash_census", str(plain), "--site", "changwon.test", stdout=out)
    lines = out.getvalue().splitlines()
    salt = VotingSettings.for_site(city).census_salt
    assert lines[0] == "identity_hash,birth_date,district"
    assert lines[1] == f"{hashing.census_hash(NAME, BORN, ROAD, salt)},1990-01-01,의창구"
    assert "홍길동" not in out.getvalue()
    client.force_login(StaffFactory(language="en"))
    upload = io.BytesIO(out.getvalue().encode())
    upload.name = "hashed.csv"
    response = client.post(
        "/admin/voting/census/", {"site": city.pk, "file": upload}, follow=True, **HOST
    )
    assert "Imported 2 residents for 창원특례시." in response.content.decode()
    citizen = UserFactory(language="en")
    client.force_login(citizen)
    client.post(page_url(city), DETAILS, **HOST)
    assert eligibility.check(citizen, city).allowed


# The census check, through the page


@pytest.mark.django_db
def test_the_page_never_asks_for_a_resident_registration_number(client, city, citizen):
    client.force_login(citizen)
    html = client.get(page_url(city), **HOST).content.decode()
    assert "Resident registration number" not in html
    assert 'name="identifier"' not in html
    assert "We never ask for your resident registration number." in html
    assert "What we keep, and for how long" in html
    assert "The verification is deleted after 730 days" in html


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["name", "code"])
def test_a_resident_registration_number_is_refused(client, city, citizen, field):
    add_resident(city)
    client.force_login(citizen)
    response = client.post(page_url(city), {**DETAILS, field: "900101-1234567"}, **HOST)
    assert response.status_code == 400
    assert "Do not enter your resident registration number" in response.content.decode()
    assert not VoterVerification.objects.exists()
    assert rows_holding("1234567") == []


@pytest.mark.django_db
def test_census_match_verifies_at_once(client, city, citizen):
    add_resident(city)
    client.force_login(citizen)
    response = client.post(page_url(city), {**DETAILS, "name": "홍 길동"}, **HOST)
    assert response.status_code == 302
    verification_row = VoterVerification.objects.get(user=citizen)
    assert verification_row.district == "의창구"
    assert (
        verification_row.expires_at.date() == (timezone.now() + datetime.timedelta(days=730)).date()
    )
    html = client.get(response["Location"], **HOST).content.decode()
    assert "You are now recognised as a resident." in html
    assert "Residency: verified (Census)." in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "change", [{"birth_date": "1990-01-02"}, {"code": "중앙대로 152"}, {"name": "홍길순"}]
)
def test_census_mismatch_changes_nothing(client, city, citizen, change):
    add_resident(city)
    client.force_login(citizen)
    response = client.post(page_url(city), {**DETAILS, **change}, **HOST)
    assert response.status_code == 400
    assert NO_MATCH in response.content.decode()
    assert not VoterVerification.objects.exists()


@pytest.mark.django_db
def test_details_linked_to_another_account_are_not_disclosed(client, city):
    add_resident(city)
    first, second = UserFactory(language="en"), UserFactory(language="en")
    client.force_login(first)
    client.post(page_url(city), DETAILS, **HOST)
    client.force_login(second)
    linked = client.post(page_url(city), DETAILS, **HOST)
    unknown = client.post(page_url(city), {**DETAILS, "name": "아무개"}, **HOST)
    assert linked.status_code == unknown.status_code == 400
    assert NO_MATCH in linked.content.decode()
    assert "already" not in linked.content.decode()
    assert list(VoterVerification.objects.values_list("user", flat=True)) == [first.pk]


@pytest.mark.django_db
def test_census_checks_are_limited_per_person(client, city, citizen):
    add_resident(city)
    client.force_login(citizen)
    statuses = [
        client.post(page_url(city), {**DETAILS, "name": name}, **HOST).status_code
        for name in GUESSES[: verification.ATTEMPTS_PER_PERSON]
    ]
    assert statuses == [400] * verification.ATTEMPTS_PER_PERSON
    # Even the right details are not checked any more this hour.
    response = client.post(page_url(city), DETAILS, **HOST)
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert not VoterVerification.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(
    connection.vendor != "postgresql" or not settings.REDIS_URL,
    reason="the limit under concurrency is checked on PostgreSQL and Redis (CI)",
)
def test_census_limit_holds_under_concurrent_requests():
    ensure_tree()
    city = make_municipality("changwon.test", "창원특례시")
    add_resident(city)
    citizen = UserFactory(language="en")
    url = page_url(city)
    from django.core.cache import cache

    cache.delete_many(
        [
            f"voting:census-attempts:user:{citizen.pk}:{int(timezone.now().timestamp() // 3600)}",
        ]
    )
    barrier = threading.Barrier(12)
    statuses = []

    def attempt(n):
        from django.test import Client

        try:
            client = Client(REMOTE_ADDR=f"10.0.0.{n}")
            client.force_login(citizen)
            barrier.wait(timeout=30)
            response = client.post(url, {**DETAILS, "name": GUESSES[n]}, **HOST)
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(statuses) == [400] * verification.ATTEMPTS_PER_PERSON + [429] * (
        12 - verification.ATTEMPTS_PER_PERSON
    )


# Staff review of a document


def upload(name="초본.png", content=PNG):
    return SimpleUploadedFile(name, content)


@pytest.mark.django_db
def test_document_review_approve_deletes_the_document(client, city, citizen):
    client.force_login(citizen)
    response = client.post(
        page_url(city, "document/"), {"birth_date": "1990-01-01", "document": upload()}, **HOST
    )
    assert response.status_code == 302
    row = VerificationRequest.objects.get(user=citizen)
    path = row.document.path
    assert path.startswith(str(settings.PRIVATE_MEDIA_ROOT))
    html = client.get(page_url(city), **HOST).content.decode()
    assert "Residency: your document is waiting for review by staff." in html
    assert "The file is deleted as soon as they approve or reject" not in html  # form gone

    staff = StaffFactory(language="en")
    client.force_login(staff)
    listing = client.get("/admin/voting/requests/", **HOST).content.decode()
    assert "Open the document" in listing and citizen.email not in listing
    document = client.get(f"/admin/voting/requests/{row.pk}/document/", **HOST)
    assert document.status_code == 200
    assert b"".join(document.streaming_content) == PNG
    client.post(f"/admin/voting/requests/{row.pk}/decide/", {"decision": "approve"}, **HOST)
    verified = VoterVerification.objects.get(user=citizen)
    assert verified.method == "manual" and verified.verified_by == staff
    row.refresh_from_db()
    assert row.status == "approved" and not row.document
    assert not os.path.exists(path)
    assert client.get(f"/admin/voting/requests/{row.pk}/document/", **HOST).status_code == 404


@pytest.mark.django_db
def test_document_review_reject_gives_a_reason_and_deletes_the_document(client, city, citizen):
    client.force_login(citizen)
    client.post(
        page_url(city, "document/"),
        {"birth_date": "1990-01-01", "document": upload("bill.pdf", b"%PDF-1.7\n...")},
        **HOST,
    )
    row = VerificationRequest.objects.get(user=citizen)
    path = row.document.path
    client.force_login(StaffFactory(language="en"))
    url = f"/admin/voting/requests/{row.pk}/decide/"
    response = client.post(url, {"decision": "reject"}, follow=True, **HOST)
    assert "Give the citizen a reason for the rejection." in response.content.decode()
    assert VerificationRequest.objects.get(pk=row.pk).status == "pending"
    client.post(url, {"decision": "reject", "reason": "주소가 보이지 않습니다."}, **HOST)
    row.refresh_from_db()
    assert row.status == "rejected" and not row.document
    assert not os.path.exists(path)
    assert not VoterVerification.objects.exists()
    client.force_login(citizen)
    html = client.get(page_url(city), **HOST).content.decode()
    assert "Your previous request was not approved. 주소가 보이지 않습니다." in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("file", "message"),
    [
        (upload("virus.exe", b"MZ..."), "Upload a PDF, JPG or PNG file."),
        (upload("fake.pdf", b"MZ this is not a pdf"), "is not the PDF, JPG or PNG its name says"),
        (upload("big.png", PNG + b"\x00" * (5 * 1024 * 1024)), "larger than 5 MB"),
    ],
)
def test_bad_documents_are_refused(client, city, citizen, file, message):
    client.force_login(citizen)
    response = client.post(
        page_url(city, "document/"), {"birth_date": "1990-01-01", "document": file}, **HOST
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not VerificationRequest.objects.exists()


@pytest.mark.django_db
def test_staff_of_another_municipality_cannot_open_the_document(client, city, province):
    from django.contrib.auth.models import Permission

    row = verification.request_review(UserFactory(), city, BORN, upload())
    outsider = UserFactory(language="en", is_staff=True)
    outsider.user_permissions.add(
        *Permission.objects.filter(
            codename__in=["access_admin", "add_voterverification", "view_voterverification"]
        )
    )
    client.force_login(outsider)
    response = client.get(f"/admin/voting/requests/{row.pk}/document/", **HOST)
    assert response.status_code == 404
    response = client.post(
        f"/admin/voting/requests/{row.pk}/decide/", {"decision": "approve"}, **HOST
    )
    assert response.status_code == 404
    assert VerificationRequest.objects.get(pk=row.pk).status == "pending"


@pytest.mark.django_db
def test_requests_list_has_a_fixed_query_count(client, city, django_assert_max_num_queries):
    for _n in range(40):
        VerificationRequest.objects.create(user=UserFactory(), site=city, birth_date=BORN)
    client.force_login(StaffFactory(language="en"))
    with django_assert_max_num_queries(40):
        response = client.get("/admin/voting/requests/", **HOST)
    assert response.status_code == 200
    assert response.content.decode().count('name="decision" value="approve"') == 25


# The identity provider (the demo one)


def enable_provider(site):
    config = VotingSettings.for_site(site)
    config.use_identity_provider = True
    config.identity_provider = "demo"
    config.save()


def through_the_demo_provider(client, city, name="박서연", phone="010-5555-0303"):
    start = client.post(page_url(city, "identity/start/"), {"declaration": "on"}, **HOST)
    assert start.status_code == 302
    window = client.get(start["Location"], **HOST)
    assert "the code is 000000" in window.content.decode()
    done = client.post(
        start["Location"],
        {"name": name, "birth_date": "1995-05-05", "phone": phone, "code": "000000"},
        **HOST,
    )
    assert done.status_code == 302
    return client.get(done["Location"], **HOST)


@pytest.mark.django_db
def test_demo_provider_verifies_with_a_hash_of_the_ci(client, city, citizen):
    enable_provider(city)
    client.force_login(citizen)
    response = through_the_demo_provider(client, city)
    assert response.status_code == 302
    row = VoterVerification.objects.get(user=citizen)
    assert row.method == "provider" and row.birth_date == datetime.date(1995, 5, 5)
    assert len(row.identity_hash) == 64
    html = client.get(response["Location"], **HOST).content.decode()
    assert "You are now recognised as a resident." in html
    assert rows_holding("박서연") == [] and rows_holding("0105555") == []


@pytest.mark.django_db
def test_demo_provider_one_person_one_account(client, city):
    enable_provider(city)
    first, second = UserFactory(language="en"), UserFactory(language="en")
    client.force_login(first)
    through_the_demo_provider(client, city)
    client.force_login(second)
    response = through_the_demo_provider(client, city)
    html = client.get(response["Location"], **HOST).content.decode()
    assert "We could not complete the verification." in html
    assert list(VoterVerification.objects.values_list("user", flat=True)) == [first.pk]


@pytest.mark.django_db
def test_provider_needs_the_declaration_and_a_valid_answer(client, city, citizen):
    enable_provider(city)
    client.force_login(citizen)
    response = client.post(page_url(city, "identity/start/"), {}, **HOST)
    assert response.status_code == 400
    assert "Tick the box to declare that you live here." in response.content.decode()
    client.post(page_url(city, "identity/start/"), {"declaration": "on"}, **HOST)
    wrong = client.post(
        page_url(city, "identity/window/"),
        {"name": "박서연", "birth_date": "1995-05-05", "phone": "010-5555-0303", "code": "123456"},
        **HOST,
    )
    assert wrong.status_code == 400
    assert "The confirmation code is wrong." in wrong.content.decode()
    # A token made for someone else does not verify this person.
    other = UserFactory(language="en")
    from django.test import Client

    other_client = Client()
    other_client.force_login(other)
    other_client.post(page_url(city, "identity/start/"), {"declaration": "on"}, **HOST)
    done = other_client.post(
        page_url(city, "identity/window/"),
        {"name": "박서연", "birth_date": "1995-05-05", "phone": "010-5555-0303", "code": "000000"},
        **HOST,
    )
    token = parse_qs(urlsplit(done["Location"]).query)["token"][0]
    client.get(page_url(city, "identity/return/") + f"?token={token}", **HOST)
    assert not VoterVerification.objects.exists()


@pytest.mark.django_db
def test_provider_is_off_unless_the_municipality_enables_it(client, city, citizen):
    client.force_login(citizen)
    html = client.get(page_url(city), **HOST).content.decode()
    assert "Start the identity check" not in html
    response = client.post(page_url(city, "identity/start/"), {"declaration": "on"}, **HOST)
    assert response.status_code == 302 and not VoterVerification.objects.exists()


# Retention and deletion


@pytest.mark.django_db
def test_expired_verifications_stop_counting_and_are_purged(city, citizen):
    row = verify(citizen, city)
    row.expires_at = timezone.now() - datetime.timedelta(minutes=1)
    row.save()
    old = VerificationRequest.objects.create(user=UserFactory(), site=city, birth_date=BORN)
    VerificationRequest.objects.filter(pk=old.pk).update(
        created_at=timezone.now() - datetime.timedelta(days=731)
    )
    fresh = VerificationRequest.objects.create(user=UserFactory(), site=city, birth_date=BORN)
    assert eligibility.check(citizen, city).missing == ["residency"]
    out = io.StringIO()
    call_command("purge_verifications", stdout=out)
    assert "1 verifications and 1 requests deleted." in out.getvalue()
    assert not VoterVerification.objects.exists()
    assert list(VerificationRequest.objects.values_list("pk", flat=True)) == [fresh.pk]


@pytest.mark.django_db
def test_deleting_the_account_deletes_verification_and_documents(client, city, citizen):
    verify(citizen, city)
    row = verification.request_review(citizen, city, BORN, upload())
    path = row.document.path
    client.force_login(citizen)
    client.post("/accounts/delete/", {"confirm": "on", "password": PASSWORD}, **HOST)
    citizen.refresh_from_db()
    assert citizen.deleted_at is not None
    assert not VoterVerification.objects.filter(user=citizen).exists()
    assert not VerificationRequest.objects.filter(user=citizen).exists()
    assert not os.path.exists(path)


# The census import page


def census_csv(city, rows, header="identity_hash,birth_date,district"):
    salt = VotingSettings.for_site(city).census_salt
    lines = [header]
    for name, born, district in rows:
        digest = hashing.census_hash(name, BORN, ROAD, salt) if name else "xyz"
        lines.append(f"{digest},{born},{district}")
    return SimpleUploadedFile("census.csv", "\n".join(lines).encode())


@pytest.mark.django_db
def test_census_page_shows_the_salt_and_never_a_key(client, city):
    client.force_login(StaffFactory(language="en"))
    html = client.get("/admin/voting/census/", **HOST).content.decode()
    assert VotingSettings.for_site(city).census_salt in html
    assert "manage.py hash_census" in html
    assert settings.CENSUS_KEY not in html


@pytest.mark.django_db
def test_invalid_census_reports_lines_and_imports_nothing(client, city):
    add_resident(city)
    client.force_login(StaffFactory(language="en"))
    upload_file = census_csv(
        city,
        [
            ("김영희", "1980-01-01", ""),
            (None, "1980-01-01", ""),
            ("이철수", "1970-13-01", ""),
            ("김영희", "1980-01-01", ""),
        ],
    )
    response = client.post("/admin/voting/census/", {"site": city.pk, "file": upload_file}, **HOST)
    html = response.content.decode()
    assert response.status_code == 400
    assert "Nothing was imported." in html
    assert "Line 3: the identity hash is not 64 hexadecimal characters." in html
    assert "Line 4: the date of birth is not a date like 1990-01-31." in html
    assert "Line 5: the same person as line 2." in html
    assert CensusEntry.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"identifier_hash,birth_date\nabc,1990-01-01\n", "The first line must be"),
        (b"identity_hash,birth_date\n", "The file has no residents in it."),
        ("identity_hash,birth_date\n".encode("utf-16"), "The file is not UTF-8 text."),
    ],
)
def test_bad_census_files(client, city, content, message):
    client.force_login(StaffFactory(language="en"))
    response = client.post(
        "/admin/voting/census/",
        {"site": city.pk, "file": SimpleUploadedFile("census.csv", content)},
        **HOST,
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CensusEntry.objects.exists()


@pytest.mark.django_db
def test_citizens_cannot_reach_the_staff_views(client, city, citizen):
    row = verification.request_review(citizen, city, BORN, upload())
    client.force_login(citizen)
    for url in (
        "/admin/voting/census/",
        "/admin/voting/requests/",
        f"/admin/voting/requests/{row.pk}/document/",
    ):
        assert client.get(url, **HOST).status_code in (302, 403)
