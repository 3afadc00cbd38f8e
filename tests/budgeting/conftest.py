import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command

# The real elections live in the team's shared folder beside the checkout (CI clones the
# repository with shared/ beside it); PABULIB_DIR points elsewhere.
PABULIB = Path(
    os.environ.get("PABULIB_DIR") or Path(__file__).resolve().parents[3] / "shared" / "pabulib"
)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def import_text(province, tmp_path):
    """Import pabulib text under the province's home page; return the budget page id."""

    def do(text, name="budget.pb"):
        path = tmp_path / name
        path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
        out, _ = run("import_pabulib", str(path), "--site", "gyeongnam.test")
        return int(out.strip().splitlines()[-1])

    return do
