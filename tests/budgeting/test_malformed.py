"""Malformed pabulib files are refused whole, with a message naming the line."""

import pytest
from django.core.management.base import CommandError

from budgeting.models import BudgetBallot, BudgetChoice, BudgetPage, BudgetProjectPage

GOOD = """META
key;value
budget;100
vote_type;{vote_type}
max_points;3
max_sum_points;4
PROJECTS
project_id;cost;name
a;60;Park
b;"40,5";Library
VOTES
voter_id;vote{points_header}
1;a,b{points1}
2;b{points2}
"""


def text(vote_type="approval", points=False, **changes):
    body = GOOD.format(
        vote_type=vote_type,
        points_header=";points" if points else "",
        points1=";2,2" if points else "",
        points2=";3" if points else "",
    )
    for old, new in changes.items():
        body = body.replace(old.replace("_", ";"), new)
    return body


def refused(import_text, body):
    with pytest.raises(CommandError) as caught:
        import_text(body)
    assert BudgetPage.objects.count() == 0
    assert BudgetProjectPage.objects.count() == 0
    assert BudgetBallot.objects.count() == 0
    assert BudgetChoice.objects.count() == 0
    return str(caught.value)


@pytest.mark.django_db
class TestRefused:
    def test_good_file_with_quotes_crlf_bom_and_decimal_comma_imports(self, import_text):
        body = "\ufeff" + text(vote_type="cumulative", points=True).replace("\n", "\r\n")
        budget = import_text(body)
        page = BudgetPage.objects.get(pk=budget)
        assert page.ballot_kind == "cumulative"
        assert page.max_sum_points == 4
        costs = dict(BudgetProjectPage.objects.values_list("pabulib_id", "cost"))
        assert costs == {"a": 60, "b": pytest.approx(40.5)}
        assert BudgetChoice.objects.filter(points=2).count() == 2

    def test_missing_section(self, import_text):
        body = text().split("VOTES")[0]
        message = refused(import_text, body)
        assert "10행: VOTES 부분이 없습니다." in message

    def test_unknown_vote_type(self, import_text):
        message = refused(import_text, text(vote_type="plurality"))
        assert "4행: 알 수 없는 투표 방식 “plurality”입니다" in message

    def test_vote_for_a_project_that_does_not_exist(self, import_text):
        message = refused(import_text, text().replace("2;b", "2;c"))
        assert "14행: PROJECTS에 없는 사업 c에 투표했습니다." in message

    def test_bad_numbers(self, import_text):
        message = refused(import_text, text().replace("a;60;", "a;sixty;"))
        assert "9행: 사업 a의 사업비는 0 이상의 숫자여야 합니다(“sixty”가 아님)." in message

    def test_duplicate_voter_ids(self, import_text):
        message = refused(import_text, text().replace("2;b", "1;b"))
        assert "14행: 투표자 ID 1: 이미 13행에서 투표했습니다." in message

    def test_points_over_the_limit(self, import_text):
        body = text(vote_type="cumulative", points=True).replace("1;a,b;2,2", "1;a,b;3,2")
        message = refused(import_text, body)
        assert "13행: 투표의 점수 합계 5점이 허용된 4점을 넘습니다." in message

    def test_points_over_the_per_project_limit(self, import_text):
        body = text(vote_type="cumulative", points=True).replace("2;b;3", "2;b;4")
        message = refused(import_text, body)
        assert "14행: 한 사업에 허용된 3점보다 많은 점수를 주었습니다." in message
