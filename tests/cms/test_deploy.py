"""Production settings pass Django's deployment check and send the security headers."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
# What a deployment's environment would hold: none of the test run's own switches.
BASE_ENV = {
    **{key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"},
    "BALLOT_KEY_SECRET": "a-production-like-ballot-secret-" + "q7W6e5R4t3Y2" * 3,
    "CENSUS_KEY": "a-production-like-census-key-" + "c" * 30,
}


def test_production_settings_pass_check_deploy():
    env = {
        **BASE_ENV,
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": "a-production-like-secret-key-" + "x9Y8w7V6u5T4s3R2q1P0" * 3,
        "ALLOWED_HOSTS": "participation.example.kr",
        "CENSUS_KEY": "a-production-like-census-key-" + "c" * 30,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**BASE_ENV, "DJANGO_SETTINGS_MODULE": "cms.settings.production", "SECRET_KEY": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.parametrize(
    ("variable", "message"),
    [
        ("BALLOT_KEY_SECRET", "BALLOT_KEY_SECRET must be set in production"),
        ("CENSUS_KEY", "CENSUS_KEY must be set"),
    ],
)
def test_production_refuses_to_start_without_its_secrets(variable, message):
    env = {
        **BASE_ENV,
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": "a-production-like-secret-key-" + "x9Y8w7V6u5T4s3R2q1P0" * 3,
        "ALLOWED_HOSTS": "participation.example.kr",
        variable: "",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.django_db
def test_public_pages_carry_a_strict_content_security_policy(client, province):
    response = client.get("/", HTTP_HOST="gyeongnam.test")
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'"
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert directives["frame-ancestors"] == "'none'"
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_admin_gets_its_own_policy(client, province):
    from tests.factories import StaffFactory

    client.force_login(StaffFactory())
    response = client.get("/admin/")
    assert response.status_code == 200
    assert "'unsafe-inline'" in response["Content-Security-Policy"]


def test_static_files_build_compressed_with_hashed_names(tmp_path):
    env = {
        **BASE_ENV,
        "DJANGO_SETTINGS_MODULE": "cms.settings.production",
        "SECRET_KEY": "collectstatic-only-" + "k" * 40,
        "ALLOWED_HOSTS": "localhost",
        "CENSUS_KEY": "collectstatic-only",
        "STATIC_ROOT": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    hashed = [p for p in (tmp_path / "cms" / "css").iterdir() if p.name.startswith("site.")]
    names = {p.name for p in hashed}
    assert any(len(name.split(".")) == 3 for name in names), names  # site.<hash>.css
    assert any(name.endswith(".css.gz") for name in names), names
    assert (tmp_path / "staticfiles.json").exists()
