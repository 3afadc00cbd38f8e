"""No secret in a queue or a dashboard: the takeover path through /django-rq/, end to end.

A city editor (staff, not superuser) asks for a password reset for the superuser. The
mail reaches the superuser's mailbox only: the dashboard refuses the editor on every URL,
and nothing the jobs carry (arguments, results, errors) nor the outbox row holds the link.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse
from rq.job import Job
from rq.registry import FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry

from cms import urls as cms_urls
from cms.jobs import get_queue
from cms.models import OutboxMail
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(email="root@example.com", is_staff=True, is_superuser=True)


@pytest.fixture
def editor(db):
    return UserFactory(email="editor@changwon.example", is_staff=True, is_superuser=False)


def _sample_kwargs(pattern):
    converters = getattr(pattern.pattern, "converters", {})
    return {
        name: 0 if "int" in type(conv).__name__.lower() else "x"
        for name, conv in converters.items()
    }


def _dashboard_urls():
    urls = []
    for pattern in cms_urls.rq_dashboard:
        try:
            urls.append(reverse(f"django_rq:{pattern.name}", kwargs=_sample_kwargs(pattern)))
        except Exception:  # a pattern with optional groups: its plain form
            urls.append(reverse(f"django_rq:{pattern.name}"))
    return sorted(set(urls))


def test_every_dashboard_url_refuses_staff_and_anonymous(client, province, editor, superuser):
    urls = _dashboard_urls()
    assert len(urls) >= 20
    client.force_login(editor)
    for url in urls:
        for method in (client.get, client.post):
            assert method(url).status_code == 403, url
    client.logout()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    client.force_login(superuser)
    assert client.get("/django-rq/").status_code == 200


def test_the_django_admin_does_not_carry_the_dashboard(client, province, editor):
    client.force_login(editor)
    assert client.get("/django-admin/django_rq/dashboard/").status_code == 404


def _job_data(connection):
    """Everything rq keeps about every job, as text: what a dashboard could show."""
    texts = []
    for key in connection.scan_iter("rq:job:*"):
        job_id = key.decode().split(":", 2)[2]
        if ":" in job_id:  # rq's per-job sub-keys (dependents, results)
            continue
        job = Job.fetch(job_id, connection=connection)
        texts.append(
            repr(
                (job.description, job.args, job.kwargs, job.meta, job.return_value(), job.exc_info)
            )
        )
    return "\n".join(texts)


def test_a_city_editor_cannot_take_over_the_superuser(
    client, province, editor, superuser, run_jobs
):
    client.force_login(editor)
    with run_jobs():
        response = client.post(
            "/accounts/password/reset/",
            {"email": "root@example.com"},
            HTTP_HOST="gyeongnam.test",
        )
    assert response.status_code == 302

    # The superuser got the link, on the municipality's own address.
    assert [message.to for message in mail.outbox] == [["root@example.com"]]
    link = re.search(r"https?://\S+/accounts/password/reset/key/\S+", mail.outbox[0].body).group(0)
    assert link.startswith("http://gyeongnam.test/")
    secret = link.rsplit("/key/", 1)[1].strip("/")
    token = secret.split("-", 1)[1]

    # Nothing the editor can reach holds it: no job's data, no dashboard page, no outbox row.
    connection = get_queue("mail").connection
    data = _job_data(connection)
    assert "send_outbox_mail" in data
    for needle in (token, "root@example.com", "password/reset/key"):
        assert needle not in data
    for row in OutboxMail.objects.all():
        assert token not in repr(row.params)
    queue = get_queue("mail")
    job_ids = set(FinishedJobRegistry(queue=queue).get_job_ids())
    job_ids |= set(FailedJobRegistry(queue=queue).get_job_ids())
    job_ids |= set(StartedJobRegistry(queue=queue).get_job_ids())
    assert job_ids
    for job_id in job_ids:
        for url in (f"/django-rq/queues/1/{job_id}/", f"/django-rq/queues/0/{job_id}/"):
            response = client.get(url)
            assert response.status_code == 403
            assert token not in response.content.decode()

    # The link works for its owner, once.
    client.logout()
    path = link.split("gyeongnam.test", 1)[1]
    form = client.get(path, follow=True, HTTP_HOST="gyeongnam.test")
    assert form.status_code == 200
    new_password = "another-long-pass-81"
    done = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else path,
        {"password1": new_password, "password2": new_password},
        HTTP_HOST="gyeongnam.test",
    )
    assert done.status_code == 302
    superuser.refresh_from_db()
    assert superuser.check_password(new_password)
    assert not superuser.check_password(PASSWORD)


def test_reset_links_ignore_a_forged_host(client, province, city, run_jobs):
    UserFactory(email="citizen@example.com")
    with run_jobs():
        client.post(
            "/accounts/password/reset/",
            {"email": "citizen@example.com"},
            HTTP_HOST="evil.example",
        )
        client.post(
            "/accounts/password/reset/",
            {"email": "citizen@example.com"},
            HTTP_HOST="changwon.test",
        )
    forged, city_mail = mail.outbox
    assert "evil.example" not in forged.body
    assert "http://gyeongnam.test/accounts/password/reset/key/" in forged.body
    assert "http://changwon.test/accounts/password/reset/key/" in city_mail.body


def test_sign_up_confirmation_is_built_when_sent(client, province, run_jobs):
    signup = {
        "email": "newcomer@example.com",
        "display_name": "새내기",
        "password1": "a-long-enough-pass-77",
        "password2": "a-long-enough-pass-77",
        "consent_privacy": "on",
        "consent_terms": "on",
    }
    with run_jobs():
        response = client.post("/accounts/signup/", signup, HTTP_HOST="evil.example")
    assert response.status_code == 302
    (message,) = mail.outbox
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+", message.body).group(0)
    assert link.startswith("http://gyeongnam.test/")
    key = link.rsplit("/confirm-email/", 1)[1].strip("/")
    assert key not in _job_data(get_queue("mail").connection)
    row = OutboxMail.objects.get()
    assert row.status == OutboxMail.Status.SENT
    assert key not in repr(row.params) and "confirm-email" not in repr(row.params)
