"""The README's "Adding a municipality", followed in the browser: a superuser adds the
municipality and its staff in the admin; a citizen proposes on the new site, the moderator
approves, supports reach the threshold, the committee member decides on the review screen and
the public page shows the answer. No shell.

People sign in with a session made for them (how the other browser tests sign in); everything
they do is done in the pages.
"""

import io
import re

import pytest
from django.test import Client
from PIL import Image

from cms.models import User
from participation.models import ProposalPage
from tests.browser.conftest import drain_jobs
from tests.factories import StaffFactory, UserFactory
from tests.participation.factories import ensure_page_tree

pytestmark = pytest.mark.django_db(transaction=True)


def _as(page, user, base):
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base}]
    )


def _logo(tmp_path):
    path = tmp_path / "logo.png"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), "#0b50d0").save(buffer, "PNG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def _add_person(page, base, email, name, group):
    page.goto(f"{base}/admin/users/new/")
    page.fill("[name=email]", email)
    page.fill("[name=display_name]", name)
    page.select_option("[name=language]", "ko")
    # The groups' checkboxes sit in the (hidden until chosen) "roles" tab.
    label = page.locator("label", has_text=group).first
    target = label.get_attribute("for")
    box = page.locator(f"#{target}") if target else label.locator("input")
    box.dispatch_event("click")
    form = page.locator("form", has=page.locator("[name=email]"))
    form.locator("button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/admin/users/$"))
    return User.objects.get(email=email)


def test_a_new_municipality_from_the_admin_to_a_committee_answer(
    live_server, desktop_page, province, tmp_path
):
    ensure_page_tree()
    page = desktop_page
    port = live_server.url.rsplit(":", 1)[1]
    base = f"http://gimhae.localhost:{port}"

    # 1. The superuser adds the municipality in one form.
    _as(page, StaffFactory(is_superuser=True), base)
    page.goto(f"{base}/admin/municipalities/add/")
    page.fill("[name=name_ko]", "김해시")
    page.fill("[name=name_en]", "Gimhae")
    page.fill("[name=title]", "김해시민 참여마당")
    page.fill("[name=slug]", "gimhae")
    page.fill("[name=hostname]", "gimhae.localhost")
    page.fill("[name=port]", port)
    page.select_option("[name=kind]", "city")
    page.select_option("[name=parent_province]", str(province.pk))
    page.fill("[name=primary_colour]", "#0b50d0")
    page.set_input_files("[name=logo_file]", _logo(tmp_path))
    page.fill("[name=support_threshold]", "2")
    page.fill("[name=support_window_days]", "30")
    # Who may support: this test's citizens have a verified email, not a residency check.
    page.select_option("[name=support_rule]", "email")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/admin/pages/\d+/$"))

    # 2. ... and its moderator and committee member, in their groups.
    moderator = _add_person(
        page, base, "mod@gimhae.example", "김해 모더레이터", "김해시 모더레이터"
    )
    member = _add_person(page, base, "member@gimhae.example", "김해 위원", "김해시 위원회")
    assert moderator.groups.get().name == "김해시 모더레이터"
    assert member.groups.get().name == "김해시 위원회"

    # 3. A citizen proposes on the new site, from its menu.
    citizen = UserFactory(display_name="김해 시민")
    _as(page, citizen, base)
    page.goto(f"{base}/")
    page.locator("header").get_by_role("link", name="시민 제안").first.click()
    page.get_by_role("link", name="정책 제안하기").click()
    page.fill("[name=title]", "김해 공영자전거 도입")
    page.fill("[name=summary]", "역과 대학을 잇는 공영자전거를 도입해 주세요.")
    page.fill("[name=body]", "통학길이 불편합니다.\n\n공영자전거를 도입해 주세요.")
    page.select_option("[name=topic]", label="교통")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/preview/$"))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/my/$"))
    drain_jobs()
    proposal = ProposalPage.objects.get(title="김해 공영자전거 도입")
    assert proposal.stage == "moderation"

    # 4. The moderator approves it in the admin.
    _as(page, moderator, base)
    page.goto(f"{base}/admin/pages/{proposal.pk}/edit/")
    page.locator("[data-workflow-action-name=approve]").first.dispatch_event("click")
    # Wagtail goes back to the proposals' listing once the action is done (and the server's
    # writes with it: SQLite would lock if the test read meanwhile).
    page.wait_for_url(re.compile(r"/admin/pages/\d+/$"))
    page.wait_for_load_state("networkidle")
    proposal.refresh_from_db()
    assert proposal.stage == "collecting"
    drain_jobs()

    # 5. Two citizens support it: the threshold (2) is reached.
    for supporter in (UserFactory(), UserFactory()):
        _as(page, supporter, base)
        page.goto(proposal.get_full_url())
        count = int(page.locator("#support-box .support-box__count strong").inner_text())
        page.locator("#support-box button[type=submit]").click()
        page.locator("#support-box .support-box__count strong").filter(
            has_text=str(count + 1)
        ).wait_for()
    drain_jobs()
    proposal.refresh_from_db()
    assert proposal.stage == "review"

    # 6. The committee member goes from the dashboard to the review screen and decides.
    _as(page, member, base)
    page.goto(f"{base}/admin/")
    page.locator("main").get_by_role("link", name="김해 공영자전거 도입").first.click()
    page.wait_for_url(re.compile(rf"/admin/participation/reviews/{proposal.pk}/$"))
    assert "통학길이 불편합니다." in page.locator("main").inner_text()
    page.locator("[name=decision][value=adopted]").check()
    page.fill("[name=comment]", "채택합니다. 내년 상반기에 시범 운영하겠습니다.")
    page.locator("main form button[type=submit]").click()
    page.get_by_text("결정과 답변이 공개되었습니다.").wait_for()
    page.wait_for_load_state("networkidle")
    drain_jobs()
    proposal.refresh_from_db()
    assert proposal.stage == "adopted"

    # 7. The public page shows the answer.
    page.context.clear_cookies()
    page.goto(proposal.get_full_url())
    assert "채택합니다. 내년 상반기에 시범 운영하겠습니다." in page.locator("main").inner_text()
