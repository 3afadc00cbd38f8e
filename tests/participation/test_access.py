"""Issue 14: every route acts within its own municipality; safe redirects; private files; the
low findings (Permissions-Policy, preview CSP, Gravatar, pixel bombs, reserved names)."""

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from participation.models import (
    DebatePage,
    Follow,
    ModerationAction,
    ProposalFile,
    ProposalPage,
    Report,
    UserBlock,
)
from tests.factories import UserFactory
from tests.participation.factories import proposal_data, publish, submit


def _report_url(town, obj):
    return town.url("report", content_type_id=obj.content_type_id, object_id=obj.pk)


# Every object acts only on its own municipality ----------------------------------------


def test_a_report_through_another_municipalitys_host_is_refused(client, town, city_town, citizen):
    """The finding: a 경상남도 proposal reported through 창원's hostname landed in 창원's queue."""
    proposal = submit(client, town, citizen)
    publish(client, town, proposal)
    client.force_login(UserFactory())
    response = client.post(
        _report_url(city_town, proposal), {"reason": "spam"}, HTTP_HOST=city_town.host
    )
    assert response.status_code == 404
    assert not Report.objects.exists()
    # Through its own site the same report is taken, and lands in 경상남도's queue.
    response = client.post(_report_url(town, proposal), {"reason": "spam"}, HTTP_HOST=town.host)
    assert response.status_code == 302
    assert Report.objects.get().site == town.site


def test_following_through_another_municipalitys_host_is_refused(client, town, city_town, citizen):
    proposal = submit(client, town, citizen)
    publish(client, town, proposal)
    follower = UserFactory()
    client.force_login(follower)
    url = city_town.url("follow", content_type_id=proposal.content_type_id, object_id=proposal.pk)
    assert client.post(url, HTTP_HOST=city_town.host).status_code == 404
    assert not Follow.objects.filter(user=follower).exists()


def test_moderators_of_another_municipality_cannot_see_or_act_on_its_reports(
    client, town, city_town, citizen
):
    """Even a report filed under the wrong site (as before the fix) is the object's site's."""
    proposal = submit(client, town, citizen)
    publish(client, town, proposal)
    Report.objects.create(
        reporter=UserFactory(), site=city_town.site, content_type_id=proposal.content_type_id,
        object_id=proposal.pk, reason="spam",
    )  # fmt: skip
    act = reverse("participation_moderation_act", args=(proposal.content_type_id, proposal.pk))

    client.force_login(city_town.moderator)
    queue = client.get(reverse("participation_moderation_queue")).content.decode()
    assert proposal.title not in queue
    assert client.post(act, {"action": "hide", "reason": "광고"}).status_code in (302, 403)
    proposal.refresh_from_db()
    assert not proposal.hidden

    client.force_login(town.moderator)
    client.post(act, {"action": "hide", "reason": "광고"})
    proposal.refresh_from_db()
    assert proposal.hidden
    assert ModerationAction.objects.get(action="hide").site == town.site


def test_admin_moderation_lists_show_only_the_moderators_municipalities(
    client, town, city_town, citizen
):
    block = UserBlock.objects.create(user=citizen, site=town.site, reason="도배")
    ModerationAction.log(town.site, ModerationAction.Action.BLOCK, town.moderator, "도배 기록")
    client.force_login(city_town.moderator)
    city_moderators = city_town.moderators
    from django.contrib.auth.models import Permission

    city_moderators.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="participation",
            codename__in=["view_userblock", "change_userblock", "view_moderationaction"],
        )
    )
    blocks = client.get(reverse("userblock:index"))
    assert blocks.status_code == 200 and "도배" not in blocks.content.decode()
    edit = client.get(reverse("userblock:edit", args=(block.pk,)))
    assert edit.status_code == 404
    log = client.get(reverse("moderationaction:index"))
    assert log.status_code == 200 and "도배 기록" not in log.content.decode()

    client.force_login(town.moderator)
    town.moderators.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="participation", codename="view_userblock"
        )
    )
    assert "도배" in client.get(reverse("userblock:index")).content.decode()


def test_my_activity_lists_this_municipalitys_proposals_only(client, town, city_town, citizen):
    submit(client, town, citizen, title="도청 앞 자전거 거치대")
    submit(client, city_town, citizen, title="창원 시내버스 배차")
    client.force_login(citizen)
    html = client.get(city_town.url("my_activity"), HTTP_HOST=city_town.host).content.decode()
    # The person's notifications (their own inbox, from any municipality) come after the lists.
    lists = html.split('id="my-notifications"', 1)[0]
    assert "창원 시내버스 배차" in lists and "도청 앞 자전거 거치대" not in lists


# Redirects -------------------------------------------------------------------------------


def test_a_comment_vote_with_a_junk_next_redirects_to_the_comment(client, town, citizen):
    proposal = submit(client, town, citizen)
    publish(client, town, proposal)
    from participation.models import Comment

    comment = Comment.post(proposal, UserFactory(), "좋은 제안입니다")
    client.force_login(UserFactory())
    url = f"{proposal.url}comments/{comment.pk}/vote/"
    for target in ("zzz", "https://evil.example/", "//evil.example/"):
        response = client.post(url, {"value": "up", "next": target}, HTTP_HOST=town.host)
        assert response.status_code == 302
        assert response["Location"].startswith(proposal.url), target
    response = client.post(url, {"value": "up", "next": "/somewhere/"}, HTTP_HOST=town.host)
    assert response["Location"] == "/somewhere/"


def test_the_referer_cannot_send_people_to_another_site(client, town):
    unverified = UserFactory(verified=False)
    client.force_login(unverified)
    response = client.get(
        town.url("submit"), HTTP_HOST=town.host, HTTP_REFERER="https://evil.example/phish"
    )
    assert response.status_code == 302 and response["Location"] == "/"
    response = client.get(
        town.url("submit"), HTTP_HOST=town.host, HTTP_REFERER=f"http://{town.host}/proposals/"
    )
    assert response["Location"] == f"http://{town.host}/proposals/"


# Files of unpublished proposals ---------------------------------------------------------


def _png(width=40, height=30, mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, (width, height)).save(buffer, "PNG")
    return buffer.getvalue()


def test_files_of_unpublished_proposals_are_served_only_to_those_who_may_see_them(
    client, town, citizen
):
    client.force_login(citizen)
    data = proposal_data(town, image_alt="정류장 사진")
    data["image"] = SimpleUploadedFile("bus-stop.png", _png(), content_type="image/png")
    data["attachment"] = SimpleUploadedFile(
        "plan.pdf", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF", "application/pdf"
    )
    assert client.post(town.url("submit"), data, HTTP_HOST=town.host).status_code == 302
    proposal = ProposalPage.objects.get(author=citizen)
    image, document = proposal.files.order_by("kind")[1], proposal.files.order_by("kind")[0]
    for stored in (image, document):
        assert "bus-stop" not in stored.file.name and "plan" not in stored.file.name
        assert not (settings.MEDIA_ROOT / stored.file.name).exists(), "nothing under /media/"
    url = town.url("proposal_file", file_id=image.pk)
    preview = client.get(town.url("preview", proposal_id=proposal.pk), HTTP_HOST=town.host)
    assert url in preview.content.decode()
    response = client.get(url, HTTP_HOST=town.host)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")

    client.logout()
    assert client.get(url, HTTP_HOST=town.host).status_code == 404
    doc_url = town.url("proposal_file", file_id=document.pk)
    assert client.get(doc_url, HTTP_HOST=town.host).status_code == 404
    client.force_login(UserFactory())
    assert client.get(url, HTTP_HOST=town.host).status_code == 404
    client.force_login(town.moderator)
    assert client.get(url, HTTP_HOST=town.host).status_code == 200

    client.force_login(citizen)
    client.post(town.url("preview", proposal_id=proposal.pk), HTTP_HOST=town.host)
    publish(client, town, proposal)
    client.logout()
    assert client.get(url, HTTP_HOST=town.host).status_code == 200
    response = client.get(doc_url, HTTP_HOST=town.host)
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    ProposalPage.objects.filter(pk=proposal.pk).update(hidden=True)
    assert client.get(url, HTTP_HOST=town.host).status_code == 404


def test_a_huge_image_is_refused_with_a_clear_message(client, town, citizen):
    client.force_login(citizen)
    data = proposal_data(town, image_alt="큰 그림")
    # 144 megapixels: a few kilobytes of PNG that would take hundreds of MB to decode.
    data["image"] = SimpleUploadedFile("huge.png", _png(12000, 12000, "1"), "image/png")
    response = client.post(town.url("submit"), data, HTTP_HOST=town.host)
    assert response.status_code == 200
    assert "12000 × 12000" in response.content.decode()
    assert not ProposalPage.objects.exists() and not ProposalFile.objects.exists()


# Headers and the admin -----------------------------------------------------------------


def test_every_page_sends_a_permissions_policy(client, town, admin_user):
    for response in (client.get("/", HTTP_HOST=town.host), client.get("/admin/login/")):
        policy = response["Permissions-Policy"]
        assert "camera=()" in policy and "microphone=()" in policy
        assert "geolocation=()" in policy and "payment=()" in policy


def test_previews_of_citizens_pages_get_the_strict_policy(client, town, citizen, admin_user):
    proposal = submit(client, town, citizen, body="<p>제안</p>")
    client.force_login(admin_user)
    edit = client.get(reverse("wagtailadmin_pages:edit", args=(proposal.pk,)))
    assert "'unsafe-inline'" in edit["Content-Security-Policy"]
    preview_url = reverse("wagtailadmin_pages:preview_on_edit", args=(proposal.pk,))
    response = client.get(preview_url)
    policy = response["Content-Security-Policy"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert "frame-ancestors 'self'" in policy


def test_the_admin_sends_no_email_hashes_to_gravatar(client, town, citizen, admin_user):
    client.force_login(admin_user)
    html = client.get(reverse("wagtailusers_users:index")).content.decode()
    html += client.get(reverse("wagtailadmin_home")).content.decode()
    assert "gravatar" not in html.lower()


# Display names -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["관리자", "창원시청 민원", "ADMIN", "운 영 자"])
def test_reserved_words_cannot_be_a_display_name(client, name):
    from cms.forms import SignupForm

    form = SignupForm({"display_name": name})
    assert not form.is_valid()
    assert "reserved" in str(form.errors) or "예약" in str(form.errors)


def test_a_citizen_cannot_take_an_officials_name(client, town, citizen):
    official = UserFactory(display_name="Kim Sujin", is_staff=True)
    client.force_login(citizen)
    response = client.post(
        reverse("account_profile"), {"display_name": " kim  SUJIN ", "language": "ko"}
    )
    assert response.status_code == 400
    citizen.refresh_from_db()
    assert citizen.display_name == "김민지"
    # The official keeps their own name when they edit their profile.
    client.force_login(official)
    client.post(reverse("account_profile"), {"display_name": "Kim Sujin", "language": "en"})
    official.refresh_from_db()
    assert official.language == "en"


# Limits on writes ----------------------------------------------------------------------


def test_proposal_drafts_are_limited_and_the_text_is_kept(client, town, citizen, settings):
    settings.PARTICIPATION_RATE_LIMITS = {"proposal": (3, 3, 3600)}
    client.force_login(citizen)
    for n in range(3):
        data = proposal_data(town, title=f"제안 {n}")
        assert client.post(town.url("submit"), data, HTTP_HOST=town.host).status_code == 302
    data = proposal_data(town, title="네 번째 제안입니다")
    response = client.post(town.url("submit"), data, HTTP_HOST=town.host)
    assert response.status_code == 429
    html = response.content.decode()
    assert "네 번째 제안입니다" in html
    assert ProposalPage.objects.filter(author=citizen).count() == 3


def test_reports_supports_and_follows_are_limited(client, town, citizen, settings):
    settings.PARTICIPATION_RATE_LIMITS = {"report": (2, 2, 600), "click": (2, 2, 60)}
    debates = []
    from tests.participation.discussion import make_debate

    for n in range(3):
        debates.append(make_debate(town.site, title=f"토론 {n}"))
    reporter = UserFactory()
    client.force_login(reporter)
    statuses = [
        client.post(_report_url(town, debate), {"reason": "spam"}, HTTP_HOST=town.host).status_code
        for debate in debates
    ]
    assert statuses == [302, 302, 429]
    assert Report.objects.filter(reporter=reporter).count() == 2
    for debate in debates:
        client.post(debate.url + "follow/", HTTP_HOST=town.host)
    assert Follow.objects.filter(user=reporter).count() == 2
    assert DebatePage.objects.count() == 3
