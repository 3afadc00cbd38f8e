"""The admin: staff only, signing in through allauth, with two-factor when required."""

import pytest
from allauth.mfa.models import Authenticator

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

    Authenticator.objects.create(user=staff, type=Authenticator.Type.TOTP, data={"secret": "x"})
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
