"""Pages cost a fixed number of queries, however many municipalities or menu pages there are."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import ContentPageFactory, make_municipality

pytestmark = pytest.mark.django_db


def count_queries(client):
    client.get("/", HTTP_HOST="gyeongnam.test")  # warm Wagtail's site cache
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/", HTTP_HOST="gyeongnam.test")
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_province_home_page_queries_do_not_grow_with_its_cities(client, province):
    make_municipality("c0.test", "도시0", province=province)
    ContentPageFactory(parent=province.root_page, show_in_menus=True, title="메뉴0")
    few, page = count_queries(client)
    assert "도시0" in page

    for number in range(1, 12):
        make_municipality(f"c{number}.test", f"도시{number}", province=province)
    for number in range(1, 12):
        ContentPageFactory(parent=province.root_page, show_in_menus=True, title=f"메뉴{number}")
    many, page = count_queries(client)
    assert "도시11" in page
    assert "메뉴11" in page
    assert many == few, f"{few} queries with one city, {many} with 12"
    assert few <= 15
