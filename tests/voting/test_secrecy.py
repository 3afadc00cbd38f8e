"""Secrecy: after votes are cast, nothing stored links an answer to a voter or to a receipt.

We look at the database as a dump would show it: every table, every row, every column.
"""

import datetime
import re

import pytest
from django.db import connection

from tests.factories import UserFactory
from tests.voting.factories import verify
from tests.voting.helpers import HOST, ballot_data, post_vote, receipt_in
from voting.models import Answer, Ballot, Participation

pytestmark = pytest.mark.django_db


def dump():
    """{table: (column names, rows)} for every table, as `pg_dump --data-only` would see it."""
    tables = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608 - names from introspection
            columns = [c[0] for c in cursor.description]
            tables[table] = (columns, cursor.fetchall())
    return tables


def column_types(table):
    with connection.cursor() as cursor:
        return {
            c.name: c.type_code
            for c in connection.introspection.get_table_description(cursor, table)
        }


def foreign_keys(table):
    with connection.cursor() as cursor:
        return connection.introspection.get_relations(cursor, table)


@pytest.fixture
def cast_votes(client, poll, city):
    """Three citizens vote through the site; one changes their answers."""
    people, receipts = [], []
    for n in range(3):
        user = UserFactory(language="en", display_name=f"투표자{n}")
        verify(user, city)
        client.force_login(user)
        receipts.append(receipt_in(post_vote(client, poll, ballot_data(poll, single=n))))
        people.append(user)
    client.force_login(people[0])
    post_vote(client, poll, ballot_data(poll, single=2), action="change", receipt=receipts[0])
    return people, receipts


def test_no_row_links_an_answer_to_a_user_or_a_receipt(cast_votes, poll):
    people, receipts = cast_votes
    tables = dump()
    ballot_table, answer_table = Ballot._meta.db_table, Answer._meta.db_table
    participation_table = Participation._meta.db_table

    # 1. No receipt code is stored in clear anywhere (sessions included), in any spelling.
    spellings = {r for r in receipts} | {r.replace("-", "") for r in receipts}
    spellings |= {s.lower() for s in spellings}
    for table, (_columns, rows) in tables.items():
        for row in rows:
            for value in row:
                text = value.decode(errors="ignore") if isinstance(value, bytes) else str(value)
                assert not any(s in text for s in spellings), f"a receipt is stored in {table}"

    # 2. Ballots and answers refer to no user and no participation, only to the poll and
    #    its questions and options; participations refer to no ballot.
    user_table = people[0]._meta.db_table
    for table in (ballot_table, answer_table):
        targets = {target for _column, (_field, target) in foreign_keys(table).items()}
        assert user_table not in targets and participation_table not in targets
    assert ballot_table not in {t for _c, (_f, t) in foreign_keys(participation_table).items()}
    ballot_columns, ballot_rows = tables[ballot_table]
    answer_columns, answer_rows = tables[answer_table]
    assert set(ballot_columns) == {"id", "poll_id", "receipt_hash", "cast_on", "channel"}
    assert set(answer_columns) == {"id", "ballot_id", "question_id", "option_id", "rank"}

    # 3. No time finer than the day: cast_on is a date, and no column holds a time.
    for column, value in zip(ballot_columns, ballot_rows[0], strict=True):
        if column == "cast_on":
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(value))
        assert not isinstance(value, datetime.datetime)
    for row in answer_rows:
        assert not any(isinstance(v, datetime.datetime) for v in row)

    # 4. Identifiers are random, so the order of ballots and answers says nothing about
    #    the order of participations (no shared sequence, no autoincrement).
    assert all(
        len(str(row[ballot_columns.index("id")]).replace("-", "")) == 32 for row in ballot_rows
    )
    assert all(
        len(str(row[answer_columns.index("id")]).replace("-", "")) == 32 for row in answer_rows
    )

    # 5. No value of a ballot or an answer equals a voter's id, email or name.
    identities = set()
    for person in people:
        identities |= {person.email, person.display_name}
    for row in ballot_rows + answer_rows:
        assert not identities & {str(v) for v in row}

    # 6. And yet everything adds up: three participations, three ballots, the change counted.
    assert len(tables[participation_table][1]) == 3
    assert len(ballot_rows) == 3
    single = poll.question_list[0]
    chosen = Answer.objects.filter(question=single).values_list("option__text", flat=True)
    assert sorted(chosen) == sorted(["Market", "Station", "Market"])


def test_staff_cannot_find_a_ballot_from_a_voter(cast_votes, poll):
    """Whatever staff look up from a participation leads to no ballot."""
    people, _receipts = cast_votes
    participation = Participation.objects.get(user=people[1])
    related = [f.name for f in Participation._meta.get_fields()]
    assert "ballot" not in related and "receipt_hash" not in related
    assert not hasattr(participation, "ballot")


def test_the_receipt_lives_only_in_the_voters_browser(client, poll, city):
    user = UserFactory(language="en")
    verify(user, city)
    client.force_login(user)
    response = post_vote(client, poll, ballot_data(poll))
    receipt = receipt_in(response)
    cookie = response.cookies[f"poll{poll.pk}_receipt"]
    assert cookie["httponly"] and cookie["path"] == poll.url.replace("http://changwon.test", "")
    assert receipt in client.get(poll.url, **HOST).content.decode()
    session = client.session
    assert receipt not in str(dict(session.items()))
