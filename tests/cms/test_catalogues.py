"""The Korean catalogues cover the interface text in the source, and the site speaks Korean."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.utils.translation import trans_real

ROOT = Path(__file__).resolve().parents[2]
MANAGE = ROOT / "manage.py"
PROJECT_APPS = ["cms", "home", "participation", "budgeting", "voting", "opendata"]
TRANSLATED_APPS = [app for app in PROJECT_APPS if (ROOT / app / "locale").is_dir()]
CATALOGUE = Path("locale", "ko", "LC_MESSAGES", "django.po")


def require_gettext():
    """makemessages drives GNU gettext; CI installs it, a developer machine may not have it."""
    if shutil.which("xgettext") is None:
        if os.environ.get("CI"):
            pytest.fail("GNU gettext (xgettext) is required in CI to check the catalogues")
        pytest.skip("GNU gettext is not installed; CI installs it")


def read_catalogue(path):
    with path.open("rb") as file:
        return read_po(file)


def extract_messages(app, tmp_path):
    """Run makemessages for Korean on a copy of the app, so the checkout is left untouched."""
    copy = tmp_path / app
    shutil.copytree(ROOT / app, copy, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo"))
    # Start from an empty catalogue: only what the source marks for translation, no merging.
    (copy / CATALOGUE).unlink(missing_ok=True)
    (copy / CATALOGUE).parent.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cms.settings.test",
        "PYTHONPATH": str(ROOT),
    }
    result = subprocess.run(  # noqa: S603
        [sys.executable, str(MANAGE), "makemessages", "-l", "ko", "--no-location"],
        cwd=copy,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"makemessages failed for {app}:\n{result.stderr}"
    return read_catalogue(copy / CATALOGUE)


def describe(message):
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return f"{message.context} | {msgid}" if message.context else msgid


@pytest.mark.parametrize("app", TRANSLATED_APPS)
def test_korean_catalogue_translates_every_message_in_the_source(app, tmp_path):
    require_gettext()
    extracted = extract_messages(app, tmp_path)
    committed = read_catalogue(ROOT / app / CATALOGUE)

    missing, untranslated, fuzzy = [], [], []
    for message in extracted:
        if not message.id:
            continue  # the header
        entry = committed.get(message.id, context=message.context)
        if entry is None:
            missing.append(describe(message))
            continue
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(strings):
            untranslated.append(describe(message))
        elif entry.fuzzy:
            fuzzy.append(describe(message))

    problems = [
        f"{label} ({len(ids)}):\n" + "\n".join(f"  {msgid!r}" for msgid in ids)
        for label, ids in (
            ("not in the catalogue", missing),
            ("without a translation", untranslated),
            ("marked fuzzy", fuzzy),
        )
        if ids
    ]
    assert not problems, (
        f"{app}/{CATALOGUE} is out of date; run `make messages` and translate:\n"
        + "\n".join(problems)
    )


def compile_catalogue_if_missing(app):
    """The .mo files are build output (not committed); compile the one the test needs."""
    if (ROOT / app / CATALOGUE).with_suffix(".mo").exists():
        return
    pybabel = Path(sys.executable).with_name("pybabel")
    command = (
        [str(pybabel)] if pybabel.exists() else [sys.executable, "-m", "babel.messages.frontend"]
    )
    subprocess.run(  # noqa: S603
        [*command, "compile", "--domain", "django", "--directory", str(ROOT / app / "locale")],
        check=True,
        capture_output=True,
    )
    # Django caches the catalogues it has loaded (or failed to find); make it read them again.
    trans_real._translations.clear()
    trans_real._default = None


@pytest.mark.django_db
def test_home_page_interface_is_korean(client, province):
    compile_catalogue_if_missing("cms")
    response = client.get("/", HTTP_HOST="gyeongnam.test")
    assert response.status_code == 200
    content = response.content.decode()
    assert "본문 바로가기" in content
    assert "Skip to main content" not in content
