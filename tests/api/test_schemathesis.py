"""An outside client: schemathesis fetches the schema from a live server and calls every
endpoint with generated requests. No 5xx, and every response matches the schema."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from budgeting.models import BudgetProjectPage
from participation.models import Comment

pytestmark = pytest.mark.django_db(transaction=True)

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def test_every_endpoint_answers_as_its_schema_says(live_server, world, settings, tmp_path):
    settings.API_RATE_LIMIT = "100000/min"
    base = live_server.url  # localhost: the default site, the province, which lists its city
    assert SCHEMATHESIS.exists(), "schemathesis is a test dependency (pyproject's test extra)"
    report = tmp_path / "report.json"
    # Real ids for the detail endpoints, so they answer 200 as well as 404.
    ids = {
        "proposals": world.public["proposals"][0].pk,
        "debates": world.public["debates"][0].pk,
        "comments": Comment.objects.public().first().pk,
        "polls": world.public["polls"][1].pk,
        "budgets": world.budget_published.pk,
        "budget-projects": BudgetProjectPage.objects.child_of(world.budget_published).first().pk,
    }
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        "".join(
            f'[[operations]]\ninclude-name = "GET /api/v1/{name}/{{id}}/"\n'
            f"parameters = {{ id = {pk} }}\n\n"
            for name, pk in ids.items()
        )
    )
    result = subprocess.run(  # noqa: S603 -- our own virtualenv's schemathesis, fixed arguments
        [
            str(SCHEMATHESIS),
            "--config-file",
            str(config),
            "run",
            f"{base}/api/v1/schema/?format=json",
            "--url",
            base,
            "--checks",
            "not_a_server_error,response_schema_conformance,content_type_conformance",
            "--phases",
            "fuzzing",
            "--max-examples",
            "10",
            "--seed",
            "20261122",
            "--generation-deterministic",
            "--request-timeout",
            "20",
            "--no-color",
            "--report",
            "ndjson",
            "--report-ndjson-path",
            str(report),
        ],
        capture_output=True,
        text=True,
        timeout=170,
        env={**os.environ, "NO_COLOR": "1", "SCHEMATHESIS_HOOKS": ""},
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-6000:]
    # Every operation of the schema was called.
    for path in ("proposals", "debates", "comments", "polls", "budgets", "budget-projects"):
        assert f"/api/v1/{path}/" in output or f"/api/v1/{path}/" in report.read_text()
    assert "/api/v1/municipality/" in report.read_text()
    # The detail endpoints were called with real ids and answered.
    for name, pk in ids.items():
        assert f"/api/v1/{name}/{pk}/" in report.read_text(), name
