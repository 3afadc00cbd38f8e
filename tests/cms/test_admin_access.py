"""The admin: staff only, signing in through allauth, with two-factor when required."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)

from tests.factories import PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_citizens_cannot_enter_the_admin(client, province):
    client.force_login(UserFactory())
    response = client.get("/admin/")
    assert response.status_code in {302, 403}
    assert "/admin/pages/" not in response.content.decode()


def test_the_admin_login_goes_through_allauth(client, province):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert "next=/admin/" in response["Location"]


def test_staff_without_a_second_factor_are_sent_to_set_one_up(client, province, settings):
    settings.REQUIRE_ADMIN_MFA = True
    staff = StaffFactory()
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/totp/activate/"

    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    # This session never passed the new factor: it signs in again, with both.
    assert client.get("/admin/")["Location"].startswith("/accounts/login/")
    _sign_in_with_both(client, staff, secret)
    assert client.get("/admin/").status_code == 200


def test_the_demo_does_not_require_a_second_factor(client, province, settings):
    settings.REQUIRE_ADMIN_MFA = False
    client.force_login(StaffFactory())
    assert client.get("/admin/").status_code == 200


def test_everyone_can_set_up_two_factor_authentication(client, province):
    user = UserFactory()
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    asked = client.get("/accounts/2fa/totp/activate/")
    assert asked["Location"].startswith("/accounts/reauthenticate/")  # confirm the password first
    client.post(asked["Location"], {"password": PASSWORD})
    response = client.get("/accounts/2fa/totp/activate/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "data:image/svg+xml" in page  # the QR code to scan
    assert 'name="code"' in page

    wrong = client.post("/accounts/2fa/totp/activate/", {"code": "000000"})
    assert wrong.status_code == 200
    assert not Authenticator.objects.filter(user=user).exists()


# Every way in ------------------------------------------------------------------------------

ADMINS = ("/admin/", "/django-admin/")


def _code(secret):
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


def _sign_in_with_both(client, user, secret, path="/accounts/login/"):
    response = client.post(path, {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session  # the password alone signs nobody in
    response = client.post("/accounts/2fa/authenticate/", {"code": _code(secret)})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


@pytest.fixture
def superuser_with_totp(db):
    user = StaffFactory(is_superuser=True)
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    return user, secret


@pytest.mark.parametrize("login", ["/admin/login/", "/django-admin/login/"])
def test_every_admin_login_page_is_allauths(client, province, login):
    response = client.get(login + "?next=/admin/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    # A password posted to the admin's own login signs nobody in.
    user = StaffFactory(is_superuser=True)
    client.post(login, {"username": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_password_alone_does_not_open_the_admin_where_a_second_factor_exists(
    client, province, superuser_with_totp
):
    user, _secret = superuser_with_totp
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    for path in ADMINS:
        response = client.get(path, follow=True)
        # Still half signed in: allauth's login resumes at the second factor.
        assert response.redirect_chain[-1][0] == "/accounts/2fa/authenticate/"
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session


def test_wrong_second_factor_is_refused_in_korean(client, province, superuser_with_totp):
    user, _secret = superuser_with_totp
    client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    response = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "코드" in response.content.decode()


@pytest.mark.parametrize("login", ["/accounts/login/", "/admin/login/", "/django-admin/login/"])
def test_both_factors_open_both_admins(client, province, superuser_with_totp, login):
    user, secret = superuser_with_totp
    chain = client.get(login + "?next=/admin/", follow=True).redirect_chain
    start = chain[-1][0] if chain else login
    assert start.startswith("/accounts/login/")
    _sign_in_with_both(client, user, secret, path="/accounts/login/")
    for path in ADMINS:
        assert client.get(path).status_code == 200, path


def test_a_session_from_a_password_only_login_is_signed_out_of_the_admin(
    client, province, superuser_with_totp
):
    """A session made around allauth (here Django's own login) never passed the second factor."""
    user, _secret = superuser_with_totp
    assert client.login(email=user.email, password=PASSWORD)
    for path in ADMINS:
        response = client.get(path, follow=True)
        # Signed out and sent to allauth's login, which asks for both factors.
        assert response.redirect_chain[-1][0].startswith("/accounts/login/")
        assert response.status_code == 200
        assert "_auth_user_id" not in client.session
        assert client.login(email=user.email, password=PASSWORD)


def test_staff_without_an_authenticator_enter_with_a_password_when_not_required(
    client, province, settings
):
    settings.REQUIRE_ADMIN_MFA = False
    staff = StaffFactory(is_superuser=True)
    client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    for path in ADMINS:
        assert client.get(path).status_code == 200


def test_required_second_factor_applies_to_the_django_admin_too(client, province, settings):
    settings.REQUIRE_ADMIN_MFA = True
    staff = StaffFactory(is_superuser=True)
    client.post("/accounts/login/", {"login": staff.email, "password": PASSWORD})
    for path in ADMINS:
        assert client.get(path)["Location"] == "/accounts/2fa/totp/activate/"
