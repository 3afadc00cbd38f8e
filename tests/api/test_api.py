"""The public API: what it lists is what the pages show, nothing personal, paginated with a
fixed number of queries, cached with ETags and limited per client."""

import json

import pytest

from tests.api.conftest import CITY, PROVINCE

pytestmark = pytest.mark.django_db

LISTS = ["proposals", "debates", "comments", "polls", "budgets", "budget-projects"]


def get(client, path, host=CITY, **extra):
    return client.get(f"/api/v1/{path}", HTTP_HOST=host, **extra)


def everything(client, host):
    """Every list followed through its cursors, and every item's own endpoint."""
    bodies = [get(client, "municipality/", host).content.decode()]
    items = {}
    for name in LISTS:
        url, rows = f"/api/v1/{name}/?page_size=2", []
        while url:
            response = client.get(url, HTTP_HOST=host)
            assert response.status_code == 200, (name, response.content)
            bodies.append(response.content.decode())
            data = response.json()
            rows += data["results"]
            url = data["next"]
        items[name] = rows
        for row in rows:
            detail = get(client, f"{name}/{row['id']}/", host)
            assert detail.status_code == 200
            bodies.append(detail.content.decode())
    return items, "\n".join(bodies)


def test_the_city_lists_what_its_pages_show_and_nothing_else(client, world):
    items, text = everything(client, CITY)
    titles = {row["title"] for row in items["proposals"]}
    assert titles == {"City bus proposal", "City adopted proposal"}
    assert {row["title"] for row in items["debates"]} == {"City debate"}
    assert "SECRET" not in text
    for person in world.people:
        assert person.email not in text
        assert person.email.split("@")[0] not in text
    # Each listed proposal's page is public; each secret one is not, and has no endpoint.
    for proposal in world.public["proposals"][1:]:
        assert client.get(proposal.url, HTTP_HOST=CITY).status_code == 200
    for proposal in world.secret["proposals"]:
        host = PROVINCE if proposal.url.startswith("/proposals") and False else None
        assert client.get(proposal.url or "/nowhere/", HTTP_HOST=CITY).status_code == 404, host
        assert get(client, f"proposals/{proposal.pk}/", PROVINCE).status_code == 404


def test_a_province_lists_its_cities_items(client, world):
    items, text = everything(client, PROVINCE)
    assert {row["title"] for row in items["proposals"]} == {
        "Province shade proposal",
        "City bus proposal",
        "City adopted proposal",
    }
    assert {row["title"] for row in items["debates"]} == {"Province debate", "City debate"}
    comments = {row["body_html"] for row in items["comments"]}
    assert comments == {
        "<p>Public for comment</p>",
        "<p>Public against comment</p>",
        "<p>Public reply</p>",
        "<p>Public comment on a proposal</p>",
    }
    assert "SECRET" not in text
    assert "987654" not in text  # the unpublished budget result's scores
    for person in world.people:
        assert person.email not in text
    municipality = get(client, "municipality/", PROVINCE).json()
    assert [city["name"] for city in municipality["cities"]] == ["창원특례시"]
    assert municipality["licence"] == "kogl-1"
    # A city sees only its own items, and names its province.
    city = get(client, "municipality/", CITY).json()
    assert city["province"]["hostname"] == PROVINCE and city["cities"] == []


def test_debates_show_the_balance_of_positions_and_display_names(client, world):
    debate = world.public["debates"][0]
    data = get(client, f"debates/{debate.pk}/", PROVINCE).json()
    assert data["positions"] == {"for": 1, "against": 1, "neutral": 0, "total": 2}
    assert data["author_name"] == "이서준"
    # The same balance as the page shows.
    from participation.models.comments import position_balance

    balance = {row["value"]: row["count"] for row in position_balance(debate)["rows"]}
    assert balance == {"for": 1, "against": 1, "neutral": 0}


def test_a_proposal_shows_its_answer_and_public_timeline_only(client, world):
    adopted = world.public["proposals"][2]
    data = get(client, f"proposals/{adopted.pk}/").json()
    assert data["committee_answer"] == "Committee says yes"
    assert data["stage"] == "adopted" and data["stage_label"] == "채택"
    assert [step["note"] for step in data["timeline"]] == ["Public answer step"]
    assert data["author_name"] == "김민지"
    assert "author" not in data and "author_id" not in data


def test_results_only_once_published(client, world):
    budgets = get(client, "budgets/", PROVINCE).json()["results"]
    by_id = {b["id"]: b for b in budgets}
    published, secret = by_id[world.budget_published.pk], by_id[world.budget_secret.pk]
    assert published["headings"][0]["result"]["spent"] == 30
    assert secret["headings"][0]["result"] is None
    projects = get(client, "budget-projects/?page_size=100", PROVINCE).json()["results"]
    for project in projects:
        if project["budget"] == world.budget_secret.pk:
            assert project["score"] is None and project["selected"] is None
        else:
            assert project["score"] == 7
    polls = {p["title"]: p for p in get(client, "polls/", PROVINCE).json()["results"]}
    open_poll = polls["Province open poll"]
    assert open_poll["results_published"] is False
    assert get(client, f"polls/{open_poll['id']}/", PROVINCE).json()["results"] is None
    closed = polls["City closed poll"]
    assert closed["results_published"] is True
    assert get(client, f"polls/{closed['id']}/", PROVINCE).json()["results"]["voters"] == 0


def test_filters_by_stage_topic_area_and_dates(client, world):
    rows = get(client, "proposals/?stage=adopted").json()["results"]
    assert [row["title"] for row in rows] == ["City adopted proposal"]
    topic = world.city_town.topic
    rows = get(client, f"proposals/?topic={topic.pk}").json()["results"]
    assert len(rows) == 2
    assert get(client, "proposals/?topic=999999").json()["results"] == []
    assert get(client, "proposals/?area=999999").json()["results"] == []
    assert get(client, "proposals/?published_after=2999-01-01").json()["results"] == []
    assert len(get(client, "proposals/?published_before=2999-01-01").json()["results"]) == 2
    bad = get(client, "proposals/?stage=nonsense&published_after=yesterday")
    assert bad.status_code == 400
    assert "stage" in bad.json() and "published_after" in bad.json()


def test_cursor_pages_take_a_fixed_number_of_queries(
    client, world, django_assert_max_num_queries, settings
):
    settings.API_RATE_LIMIT = "10000/min"
    from tests.api.conftest import _proposal

    counts = {}
    for name in LISTS:  # the first request of a process fills the Site and content type caches
        get(client, f"{name}/?page_size=50", PROVINCE)
    for _round in range(2):
        for name in LISTS:
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as queries:
                response = get(client, f"{name}/?page_size=50", PROVINCE)
            assert response.status_code == 200
            counts.setdefault(name, []).append(len(queries))
        for number in range(5):  # more of everything for the second round
            _proposal(world.town, f"More {number}", author=world.people[0])
            from participation.models import Comment

            Comment.post(world.public["debates"][0], world.people[1], f"<p>More {number}</p>")
    for name, (before, after) in counts.items():
        assert before == after, (name, counts)
        assert after <= 12, (name, counts)


def test_pages_follow_cursors_without_repeats(client, world):
    seen, url = [], "/api/v1/proposals/?page_size=1"
    while url:
        data = client.get(url, HTTP_HOST=PROVINCE).json()
        seen += [row["id"] for row in data["results"]]
        url = data["next"]
    assert len(seen) == len(set(seen)) == 3


def test_etag_and_cache_control(client, world):
    first = get(client, "proposals/")
    assert first.status_code == 200
    assert "public" in first["Cache-Control"] and "max-age=60" in first["Cache-Control"]
    assert "Set-Cookie" not in first.headers  # no session, no CSRF cookie: cacheable
    etag = first["ETag"]
    again = get(client, "proposals/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b""
    world.public["proposals"][1].set_state(support_count=2)
    changed = get(client, "proposals/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag


def test_rate_limited_per_client_with_a_korean_message(client, world, settings):
    settings.API_RATE_LIMIT = "3/min"
    for _ in range(3):
        assert get(client, "debates/", REMOTE_ADDR="10.0.0.1").status_code == 200
    refused = get(client, "debates/", REMOTE_ADDR="10.0.0.1")
    assert refused.status_code == 429
    assert "요청" in refused.json()["detail"]
    assert refused["Retry-After"]
    # A forged X-Forwarded-For does not make a new client.
    forged = get(client, "debates/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert forged.status_code == 429
    # Another client is not affected.
    assert get(client, "debates/", REMOTE_ADDR="10.0.0.2").status_code == 200


def test_unknown_ids_and_bad_cursors_are_404_not_500(client, world):
    assert get(client, "proposals/999999/").status_code == 404
    assert get(client, "proposals/?cursor=garbage").status_code == 404
    # A province's proposal is not reachable through the city's hostname.
    province_only = world.public["proposals"][0]
    assert get(client, f"proposals/{province_only.pk}/").status_code == 404
    assert get(client, f"proposals/{province_only.pk}/", PROVINCE).status_code == 200


def test_schema_validates_and_docs_load_without_a_cdn(client, world):
    from drf_spectacular.validation import validate_schema

    response = get(client, "schema/?format=json")
    assert response.status_code == 200
    schema = json.loads(response.content)
    validate_schema(schema)
    assert set(schema["paths"]) >= {f"/api/v1/{name}/" for name in LISTS}
    docs = get(client, "docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn" not in html.lower() and "https://" not in html.split("<body")[0]
    assert "script-src 'self'" in docs["Content-Security-Policy"]
    script = get(client, "docs/?script")
    assert script.status_code == 200
