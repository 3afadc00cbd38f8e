"""Accounts through the site: sign-up with email verification, log-in, reset, profile, deletion."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from cms.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP = {
    "email": "newcomer@example.com",
    "display_name": "새내기",
    "password1": "a-long-enough-pass-77",
    "password2": "a-long-enough-pass-77",
    "consent_privacy": "on",
    "consent_terms": "on",
}


def link_in(message):
    return re.search(r"https?://[^/\s]+(/[\x21-\x7e]+)", message.body).group(1)


def test_sign_up_verify_by_email_and_arrive_logged_in(client, province, run_jobs):
    with run_jobs():
        response = client.post("/accounts/signup/", SIGNUP, HTTP_HOST="gyeongnam.test")
    assert response.status_code == 302
    user = User.objects.get(email="newcomer@example.com")
    assert user.display_name == "새내기"
    assert not EmailAddress.objects.get(user=user).verified

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["newcomer@example.com"]
    confirm_url = link_in(mail.outbox[0])
    assert "/accounts/confirm-email/" in confirm_url

    assert client.get(confirm_url).status_code == 200
    confirmed = client.post(confirm_url)
    assert confirmed.status_code == 302
    assert EmailAddress.objects.get(user=user).verified
    home = client.get("/", HTTP_HOST="gyeongnam.test").content.decode()
    assert "새내기" in home


def test_unverified_accounts_cannot_log_in(client, province, run_jobs):
    UserFactory(email="pending@example.com", verified=False)
    with run_jobs():
        response = client.post(
            "/accounts/login/", {"login": "pending@example.com", "password": PASSWORD}
        )
    assert response.status_code == 302
    assert "/accounts/confirm-email/" in response["Location"]
    assert "_auth_user_id" not in client.session
    assert mail.outbox and mail.outbox[0].to == ["pending@example.com"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"display_name": ""}, "display_name"),
        ({"display_name": "me@example.com"}, "display_name"),
        ({"password2": "something-else-123"}, "password2"),
        ({"password1": "123", "password2": "123"}, "password1"),
    ],
)
def test_invalid_sign_ups_explain_and_create_nothing(client, province, change, field):
    response = client.post("/accounts/signup/", {**SIGNUP, **change})
    assert response.status_code == 200
    assert response.context["form"].errors[field]
    assert "error-summary" in response.content.decode()
    assert not User.objects.exists()
    assert not mail.outbox


def test_an_email_can_only_sign_up_once(client, province, run_jobs):
    UserFactory(email="newcomer@example.com")
    with run_jobs():
        client.post("/accounts/signup/", SIGNUP)
    assert User.objects.filter(email="newcomer@example.com").count() == 1


def test_log_in_and_log_out(client, province):
    user = UserFactory(display_name="박서연")
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert "박서연" in client.get("/", HTTP_HOST="gyeongnam.test").content.decode()

    client.post("/accounts/logout/")
    assert "박서연" not in client.get("/", HTTP_HOST="gyeongnam.test").content.decode()


def test_wrong_password_is_refused_with_a_message(client, province):
    user = UserFactory()
    response = client.post("/accounts/login/", {"login": user.email, "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert "_auth_user_id" not in client.session


def test_password_reset_by_email(client, province, run_jobs):
    user = UserFactory()
    with run_jobs():
        client.post("/accounts/password/reset/", {"email": user.email})
    assert len(mail.outbox) == 1
    reset_url = link_in(mail.outbox[0])

    set_password_url = client.get(reset_url)["Location"]
    response = client.post(
        set_password_url, {"password1": "brand-new-secret-42", "password2": "brand-new-secret-42"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("brand-new-secret-42")


def test_profile_changes_display_name_and_language(client, province):
    user = UserFactory()
    client.force_login(user)
    response = client.post("/accounts/profile/", {"display_name": "새 이름", "language": "en"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.language) == ("새 이름", "en")
    assert client.get("/accounts/profile/")["Content-Language"] == "en"


def test_profile_refuses_an_email_as_display_name(client, province):
    user = UserFactory(display_name="원래 이름")
    client.force_login(user)
    response = client.post("/accounts/profile/", {"display_name": "a@b.kr", "language": "ko"})
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    user.refresh_from_db()
    assert user.display_name == "원래 이름"


def test_deleting_an_account_anonymises_it(client, province):
    user = UserFactory(email="leaving@example.com", display_name="떠나는 사람")
    client.force_login(user)

    refused = client.post("/accounts/delete/", {"confirm": "on", "password": "wrong"})
    assert refused.status_code == 400
    assert User.objects.get(pk=user.pk).deleted_at is None

    response = client.post("/accounts/delete/", {"confirm": "on", "password": PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.deleted_at is not None
    assert not user.is_active
    assert "leaving@example.com" not in user.email
    assert user.display_name == ""
    assert not EmailAddress.objects.filter(email="leaving@example.com").exists()
    assert user.public_name in {"Deleted account", "탈퇴한 계정"}
    assert "_auth_user_id" not in client.session
    relogin = client.post(
        "/accounts/login/", {"login": "leaving@example.com", "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    assert relogin.status_code == 200


def test_account_pages_need_a_login(client, province):
    for url in ("/accounts/profile/", "/accounts/delete/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_errors_are_shown_in_korean(client, province):
    response = client.post("/accounts/signup/", {**SIGNUP, "password2": "different-pass-99"})
    page = response.content.decode()
    assert response["Content-Language"] == "ko"
    assert "다음 항목을 확인해 주세요" in page
    assert "Please correct the following" not in page


def test_repeated_failed_logins_are_rate_limited(client, province, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip,3/5m/key"}
    user = UserFactory()
    for _ in range(3):
        client.post("/accounts/login/", {"login": user.email, "password": "wrong"})
    blocked = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert blocked.status_code == 200
    assert "_auth_user_id" not in client.session  # even the right password waits
    assert "너무 많은 로그인 실패가 감지되었습니다" in blocked.content.decode()
