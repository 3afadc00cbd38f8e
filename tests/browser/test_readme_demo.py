"""The demo exactly as the README serves it: `make demo`, http://127.0.0.1:8000, the sites at
`*.localhost:8000`, the embedded defaults (no DATABASE_URL, no REDIS_URL), mails printed by
the server. A citizen proposes, supports (with htmx and without JavaScript), follows,
reports and opens the link of a notification mail.

It runs in a copy of the working tree so the demo's SQLite file starts fresh. The copy
shares the installed `.venv` and `node_modules` (what `make demo`'s setup step installs);
its dependency files are dated before that install, so `make` sees the setup done.
"""

import os
import re
import shutil
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PORT = 8000
CITY = f"http://changwon.localhost:{PORT}"
PASSWORD = "demo-pass-2026"
SKIP = {".git", "var", ".venv", "node_modules", "build", "__pycache__", ".pytest_cache"}


def _port_taken():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", PORT))
        except OSError:
            return True
    return False


def _copy_tree(target):
    shutil.copytree(ROOT, target, ignore=lambda _dir, names: [n for n in names if n in SKIP])
    for name in (".venv", "node_modules"):
        os.symlink(os.path.realpath(ROOT / name), target / name)
    long_ago = time.time() - 10 * 365 * 86400
    for name in ("pyproject.toml", "constraints.txt", "package.json", "package-lock.json"):
        os.utime(target / name, (long_ago, long_ago))


def _wait_for_server(process, log, timeout=300):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(
                f"`make demo` stopped (exit {process.returncode}):\n{log.read_text()[-3000:]}"
            )
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=5) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(1)
    pytest.fail(f"`make demo` did not answer on port {PORT}:\n{log.read_text()[-3000:]}")


@pytest.fixture
def readme_demo(tmp_path, browser):
    if _port_taken():
        pytest.fail(f"Port {PORT} is taken: the README's demo needs it. Stop what runs there.")
    tree = tmp_path / "checkout"
    _copy_tree(tree)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE"}
        and not k.startswith("PYTEST")
    }
    log = tmp_path / "demo.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            ["make", "demo"],  # noqa: S607
            cwd=tree,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        _wait_for_server(process, log)
        yield log
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def _sign_in(page, email):
    page.goto(f"{CITY}/accounts/login/")
    page.fill("[name=login]", email)
    page.fill("[name=password]", PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{CITY}/")


def _mailed_links(log, subject_fragment):
    """Links of the mails the server printed whose subject mentions `subject_fragment`.

    The demo prints each mail as a person reads it (cms/mail_console.py): headers, a blank
    line, the plain-text body, then a line of 79 dashes.
    """
    links = []
    for chunk in log.read_text(errors="replace").split("-" * 79):
        start = chunk.find("\nFrom: ")
        if start < 0:
            continue
        headers, _blank, body = chunk[start + 1 :].partition("\n\n")
        subject = next(
            (
                line[len("Subject: ") :]
                for line in headers.splitlines()
                if line.startswith("Subject: ")
            ),
            "",
        )
        if subject_fragment in subject:
            links += re.findall(r"http://[\w.:/%\-]+", body)
    return links


def test_readme_demo_citizen_journey(readme_demo, browser):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ko-KR")
    page = context.new_page()
    _sign_in(page, "citizen2@example.com")

    # Propose: from the proposals page's button, through the preview, to moderation.
    page.goto(f"{CITY}/proposals/")
    page.get_by_role("link", name="정책 제안하기").click()
    page.wait_for_url(f"{CITY}/proposals/submit/")
    page.fill("[name=title]", "마을버스 배차 간격 단축")
    page.fill("[name=summary]", "출퇴근 시간 마을버스를 더 자주 운행해 주세요.")
    page.fill("[name=body]", "아침마다 버스를 20분씩 기다립니다.\n\n배차를 늘려 주세요.")
    page.select_option("[name=topic]", label="교통")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(rf"^{re.escape(CITY)}/proposals/\d+/preview/$"))
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(f"{CITY}/proposals/my/")
    assert "마을버스 배차 간격 단축" in page.locator("main").inner_text()

    # Support with htmx: the box changes in place.
    page.goto(f"{CITY}/proposals/")
    page.get_by_role("link", name="일회용 컵 보증금 확대").click()
    proposal_url = page.url
    assert proposal_url.startswith(f"{CITY}/proposals/")
    box = page.locator("#support-box")
    count = int(box.locator(".support-box__count strong").inner_text())
    box.locator("button[type=submit]").click()
    box.locator(".support-box__count strong").filter(has_text=str(count + 1)).wait_for()
    assert page.url == proposal_url

    # Follow and report, with the page's own forms and links.
    page.get_by_role("button", name="이 제안 구독하기").click()
    page.wait_for_url(proposal_url)
    page.get_by_role("button", name="구독 취소").wait_for()
    page.get_by_role("link", name="이 제안 신고하기").click()
    page.wait_for_url(re.compile(rf"^{re.escape(CITY)}/proposals/report/"))
    page.locator("[name=reason]").first.check()
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(proposal_url)

    # Without JavaScript the same support form posts and comes back to the page.
    context.storage_state(path=str(readme_demo.parent / "state.json"))
    plain = browser.new_context(
        java_script_enabled=False, storage_state=str(readme_demo.parent / "state.json")
    )
    no_js = plain.new_page()
    no_js.goto(proposal_url)
    no_js.get_by_role("button", name="공감 취소").click()
    no_js.wait_for_url(proposal_url)
    assert no_js.locator("#support-box .support-box__count strong").inner_text() == str(count)
    no_js.get_by_role("button", name="공감하기").click()
    no_js.wait_for_url(proposal_url)
    assert no_js.locator("#support-box .support-box__count strong").inner_text() == str(count + 1)
    plain.close()

    # The mail the demo printed for the new proposal links to its preview, with the port.
    links = _mailed_links(readme_demo, "마을버스 배차 간격 단축")
    preview = [link for link in links if "/preview/" in link]
    assert preview, links
    assert re.match(rf"^{re.escape(CITY)}/proposals/\d+/preview/$", preview[0]), preview
    page.goto(preview[0])
    assert page.url == preview[0]
    assert "마을버스 배차 간격 단축" in page.locator("h1").inner_text()
    context.close()
