"""Hostile and mistaken input: no script survives, bad uploads are refused, nothing changes."""

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from participation.models import ProposalFile, ProposalPage, Report, Support
from tests.factories import UserFactory
from tests.participation.factories import proposal_data, publish, submit, support

XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<svg onload="alert(1)"></svg>',
    '"><script>alert(1)</script>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<p style="background:url(javascript:alert(1))" onclick="alert(1)">x</p>',
    '<a href="&#106;avascript:alert(1)">x</a>',
    "<body onload=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style>"
    "</mglyph></table></mtext></math>",
    "javascript:alert(1)",
]
UNSAFE = [
    re.compile(r"<script(?![^>]*src=\"/static/)", re.I),
    re.compile(r"<(?:a|img|svg|p|body|iframe|math)[^>]*\son\w+\s*=", re.I),
    re.compile(r"(?:href|src)\s*=\s*[\"']?\s*javascript:", re.I),
    re.compile(r"<iframe", re.I),
]


def assert_safe(html):
    for pattern in UNSAFE:
        assert not pattern.search(html), pattern.pattern


@pytest.mark.parametrize("payload", XSS)
def test_xss_through_every_citizen_field_is_neutralised(client, town, citizen, payload, run_jobs):
    with run_jobs():
        proposal = submit(
            client,
            town,
            citizen,
            title=f"제목 {payload}",
            summary=f"요약 {payload}",
            body=f"본문 {payload} <a href='https://example.org'>link</a>",
        )
        publish(client, town, proposal)
    report = UserFactory()
    client.force_login(report)
    client.post(
        town.url("report", content_type_id=proposal.content_type_id, object_id=proposal.pk),
        {"reason": "spam", "note": payload},
        HTTP_HOST=town.host,
    )
    client.force_login(citizen)
    client.post(
        town.url("withdraw", proposal_id=proposal.pk),
        {"reason": "other", "note": payload},
        HTTP_HOST=town.host,
    )
    pages = [
        proposal.url,
        town.index.url,
        town.index.url + "?q=" + payload,
        town.url("my_activity"),
        town.url("preview", proposal_id=proposal.pk),
    ]
    for url in pages:
        response = client.get(url, HTTP_HOST=town.host)
        assert response.status_code == 200, url
        assert_safe(response.content.decode())
    proposal.refresh_from_db()
    assert 'rel="nofollow ugc noopener"' in proposal.body
    assert_safe(proposal.body)


def _png(size=(20, 20)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("field", "name", "content", "message"),
    [
        ("image", "photo.gif", b"GIF89a" + b"\0" * 100, "JPEG, PNG or WebP"),
        ("image", "photo.png", b"<?php echo 1; ?>" + b"\0" * 100, "not a valid PNG image"),
        ("image", "photo.jpg", _png(), "not a valid JPG image"),
        ("attachment", "plan.exe", b"MZ" + b"\0" * 100, "PDF, HWP, HWPX, DOCX or XLSX"),
        ("attachment", "plan.pdf", b"<html><script>alert(1)</script>", "not really a PDF"),
        (
            "attachment",
            "plan.pdf",
            b"%PDF-1.4\n" + b"0" * (6 * 1024 * 1024),
            "largest allowed is 5.0",
        ),
    ],
)
def test_bad_uploads_are_refused_with_a_clear_message(
    client, town, citizen, field, name, content, message, settings
):
    settings.LANGUAGE_CODE = "en"
    client.force_login(citizen)
    data = proposal_data(town, image_alt="사진")
    data[field] = SimpleUploadedFile(name, content)
    response = client.post(town.url("submit"), data, HTTP_HOST=town.host, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors.get(field, []))
    assert errors, response.context["form"].errors
    assert ProposalPage.objects.count() == 0 and ProposalFile.objects.count() == 0


def test_good_uploads_are_kept_and_shown(client, town, citizen):
    client.force_login(citizen)
    data = proposal_data(town, image_alt="정류장 사진")
    data["image"] = SimpleUploadedFile("stop.png", _png())
    data["attachment"] = SimpleUploadedFile("plan.pdf", b"%PDF-1.4\n%%EOF\n")
    response = client.post(town.url("submit"), data, HTTP_HOST=town.host)
    assert response.status_code == 302
    proposal = ProposalPage.objects.get()
    assert sorted(proposal.files.values_list("kind", flat=True)) == ["document", "image"]
    html = client.get(response["Location"], HTTP_HOST=town.host).content.decode()
    assert 'alt="정류장 사진"' in html and "plan.pdf" in html


def test_an_image_needs_a_description(client, town, citizen):
    client.force_login(citizen)
    data = proposal_data(town)
    data["image"] = SimpleUploadedFile("stop.png", _png())
    response = client.post(town.url("submit"), data, HTTP_HOST=town.host)
    assert response.status_code == 200 and response.context["form"].errors["image_alt"]
    assert ProposalPage.objects.count() == 0


def test_empty_or_markup_only_fields_are_refused(client, town, citizen):
    client.force_login(citizen)
    response = client.post(
        town.url("submit"),
        proposal_data(town, title="<b></b>", body="<p> </p><em></em>", topic=""),
        HTTP_HOST=town.host,
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"title", "body", "topic"}
    assert ProposalPage.objects.count() == 0


def test_a_topic_of_another_site_is_refused(client, town, city_town, citizen):
    client.force_login(citizen)
    response = client.post(
        town.url("submit"), proposal_data(town, topic=city_town.topic.pk), HTTP_HOST=town.host
    )
    assert response.status_code == 200 and response.context["form"].errors["topic"]


def test_supports_outside_the_window_are_refused(client, town, citizen):
    proposal = submit(client, town, citizen)
    supporter = UserFactory()
    # Before publication: the page is not live.
    response = support(client, town, proposal, supporter)
    assert response.status_code == 404
    publish(client, town, proposal)
    import datetime

    import time_machine

    with time_machine.travel(proposal.support_deadline + datetime.timedelta(seconds=1)):
        response = support(client, town, proposal, supporter, follow="1")
        assert response.status_code == 302
        response = client.post(
            town.url("support", proposal_id=proposal.pk),
            {"action": "support"},
            HTTP_HOST=town.host,
            HTTP_HX_REQUEST="true",
        )
        assert response.status_code == 400
    assert not Support.objects.exists()
    proposal.refresh_from_db()
    assert proposal.support_count == 0


def test_support_and_withdraw_with_htmx_and_without(client, town, citizen):
    proposal = submit(client, town, citizen)
    publish(client, town, proposal)
    supporter = UserFactory()
    client.force_login(supporter)
    url = town.url("support", proposal_id=proposal.pk)
    response = client.post(url, {"action": "support"}, HTTP_HOST=town.host, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<section class="support-box"') and "<strong>1</strong>" in html
    response = client.post(url, {"action": "support"}, HTTP_HOST=town.host, HTTP_HX_REQUEST="true")
    assert "<strong>1</strong>" in response.content.decode()
    response = client.post(url, {"action": "withdraw"}, HTTP_HOST=town.host)
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.support_count == 0 and not Support.objects.exists()
    assert client.get(url, HTTP_HOST=town.host).status_code == 405


def test_a_repeated_report_counts_once_and_bad_reasons_are_refused(client, town, citizen):
    proposal = submit(client, town, citizen)
    publish(client, town, proposal)
    reporter = UserFactory()
    client.force_login(reporter)
    url = town.url("report", content_type_id=proposal.content_type_id, object_id=proposal.pk)
    response = client.post(url, {"reason": "nonsense"}, HTTP_HOST=town.host)
    assert response.status_code == 200 and response.context["form"].errors["reason"]
    for _ in range(2):
        client.post(url, {"reason": "spam"}, HTTP_HOST=town.host)
    assert Report.objects.count() == 1
    response = client.post(
        town.url("report", content_type_id=1, object_id=1), {"reason": "spam"}, HTTP_HOST=town.host
    )
    assert response.status_code == 404
