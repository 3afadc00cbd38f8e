"""The open data bundle: built by an RQ job, its CSVs match their dictionary, nothing hidden or
personal in any file, downloadable from the open data page linked in the footer."""

import csv
import io
import json
import zipfile

import pytest
from django.utils import timezone

from opendata.bundle import rebuild_all
from opendata.models import OpenDataBundle
from tests.api.conftest import CITY, PROVINCE

pytestmark = pytest.mark.django_db


def files_of(data):
    with zipfile.ZipFile(io.BytesIO(data)) as bundle:
        return {name: bundle.read(name) for name in bundle.namelist()}


def rows(raw):
    assert raw.startswith(b"\xef\xbb\xbf"), "every CSV starts with a UTF-8 byte order mark"
    return list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))


@pytest.fixture
def bundles(world, run_jobs, client):
    with run_jobs():
        rebuild_all()
    built = {b.site.hostname: b for b in OpenDataBundle.objects.select_related("site")}
    assert set(built) >= {PROVINCE, CITY}
    return built


def download(client, host):
    response = client.get("/open-data/bundle.zip", HTTP_HOST=host)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return b"".join(response.streaming_content)


def test_the_job_builds_every_municipality_and_the_page_offers_it(client, bundles):
    page = client.get("/open-data/", HTTP_HOST=PROVINCE)
    assert page.status_code == 200
    html = page.content.decode()
    assert "공공데이터" in html and "공공누리 제1유형" in html
    assert "/open-data/bundle.zip" in html and "/api/v1/docs/" in html
    assert f"{timezone.localtime(bundles[PROVINCE].built_at):%Y-%m-%d %H:%M}" in html
    # Linked from the footer of every page.
    home = client.get("/", HTTP_HOST=CITY).content.decode()
    assert 'href="/open-data/"' in home


def test_every_column_is_documented_and_nothing_hidden_or_personal(client, bundles, world):
    files = files_of(download(client, PROVINCE))
    dictionary = rows(files.pop("data_dictionary.csv"))
    assert dictionary[0] == ["file", "column", "type", "description"]
    documented = {(f, c) for f, c, _kind, description in dictionary[1:] if c and description}
    metadata = json.loads(files.pop("metadata.json"))
    assert metadata["licence"] == "kogl-1" and metadata["built_at"]
    readme = files.pop("README.md").decode()
    assert "공공누리 제1유형" in readme
    everything = []
    for name, raw in files.items():
        table = rows(raw)
        header = table[0]
        assert {(name, column) for column in header} <= documented, name
        assert {c for f, c in documented if f == name} == set(header), name
        assert all(len(row) == len(header) for row in table[1:]), name
        assert metadata["files"][name] == len(table) - 1
        everything.append(raw.decode("utf-8-sig"))
    text = "\n".join(everything)
    assert "SECRET" not in text
    assert "987654" not in text  # the unpublished budget result
    for person in world.people:
        assert person.email not in text
    proposals = {row[3] for row in rows(files["proposals.csv"])[1:]}
    assert proposals == {"Province shade proposal", "City bus proposal", "City adopted proposal"}
    comments = rows(files["comments.csv"])
    header = comments[0]
    assert "author_id" not in header and "email" not in header
    assert {row[header.index("author_name")] for row in comments[1:]} == {"김민지", "이서준"}


def test_the_same_rows_as_the_api(client, bundles):
    files = files_of(download(client, CITY))
    from_csv = {int(row[0]) for row in rows(files["proposals.csv"])[1:]}
    from_api = {
        row["id"]
        for row in client.get("/api/v1/proposals/?page_size=100", HTTP_HOST=CITY).json()["results"]
    }
    assert from_csv == from_api and len(from_csv) == 2
    projects = rows(files["budget_projects.csv"])
    header = projects[0]
    assert {row[header.index("selected")] for row in projects[1:]} == {"0", "1"}


def test_pabulib_files_only_once_published(client, world, bundles):
    published = world.result_published.heading_id
    secret = world.result_secret.heading_id
    page = client.get("/open-data/", HTTP_HOST=PROVINCE).content.decode()
    assert f"/open-data/budgets/{published}.pb" in page
    assert f"/open-data/budgets/{secret}.pb" not in page
    response = client.get(f"/open-data/budgets/{published}.pb", HTTP_HOST=CITY)
    assert response.status_code == 200
    assert response.content.decode().startswith("META")
    assert client.get(f"/open-data/budgets/{secret}.pb", HTTP_HOST=PROVINCE).status_code == 404


def test_rebuilding_replaces_the_file_and_counts_new_rows(client, bundles, world, run_jobs):
    from tests.api.conftest import _proposal

    first = bundles[CITY]
    _proposal(world.city_town, "A newer city proposal")
    with run_jobs():
        rebuild_all()
    again = OpenDataBundle.objects.get(site=world.city)
    assert again.rows["proposals.csv"] == first.rows["proposals.csv"] + 1
    assert again.built_at > first.built_at


def test_no_bundle_yet_says_so(client, world):
    page = client.get("/open-data/", HTTP_HOST=CITY)
    assert page.status_code == 200
    assert "첫 파일을 준비하고 있습니다" in page.content.decode()
    assert client.get("/open-data/bundle.zip", HTTP_HOST=CITY).status_code == 404


def test_the_command_builds_one_site_and_refuses_an_unknown_one(world):
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    call_command("build_open_data", "--site", CITY, stdout=out)
    assert out.getvalue().strip() == f"{CITY}: built"
    assert list(OpenDataBundle.objects.values_list("site__hostname", flat=True)) == [CITY]
    with pytest.raises(CommandError):
        call_command("build_open_data", "--site", "nowhere.test")


def test_the_licence_is_the_municipality_setting(world, client):
    from django.core.management import call_command

    from cms.models import MunicipalitySettings

    config = MunicipalitySettings.for_site(world.city)
    config.data_licence = "cc-by-4.0"
    config.save()
    call_command("build_open_data", "--site", CITY, stdout=io.StringIO())
    files = files_of(download(client, CITY))
    assert json.loads(files["metadata.json"])["licence"] == "cc-by-4.0"
    page = client.get("/open-data/", HTTP_HOST=CITY).content.decode()
    assert "크리에이티브 커먼즈 저작자표시 4.0" in page
    assert "https://creativecommons.org/licenses/by/4.0/" in page
