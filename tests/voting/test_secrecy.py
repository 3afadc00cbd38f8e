"""Secrecy: after votes are cast, nothing stored links an answer to a voter or to a receipt.

We look at the database as a dump would show it: every table, every row, every column.
"""

import datetime
import re

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.test import override_settings

from tests.factories import UserFactory
from tests.voting.factories import verify
from tests.voting.helpers import HOST, ballot_data, post_vote, receipt_in
from voting import results, secrecy
from voting.models import Answer, Ballot, BallotBox, Participation, SealedEnvelope

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
    envelope_table = SealedEnvelope._meta.db_table
    participation_table = Participation._meta.db_table

    # 1. No receipt code is stored in clear anywhere (sessions included), in any spelling,
    #    and no answer either: while the poll is open there are no ballots, only envelopes.
    spellings = {r for r in receipts} | {r.replace("-", "") for r in receipts}
    spellings |= {s.lower() for s in spellings}
    for table, (_columns, rows) in tables.items():
        for row in rows:
            for value in row:
                text = value.decode(errors="ignore") if isinstance(value, bytes) else str(value)
                assert not any(s in text for s in spellings), f"a receipt is stored in {table}"
    assert tables[Ballot._meta.db_table][1] == [] and tables[Answer._meta.db_table][1] == []
    for _columns, rows in [tables[envelope_table]]:
        for row in rows:
            assert not any(b"Market" in bytes(v) for v in row if isinstance(v, bytes | memoryview))

    # 2. Envelopes refer to no user and no participation; participations to no envelope.
    user_table = people[0]._meta.db_table
    targets = {target for _column, (_field, target) in foreign_keys(envelope_table).items()}
    assert targets == {BallotBox._meta.db_table}
    assert envelope_table not in {t for _c, (_f, t) in foreign_keys(participation_table).items()}
    envelope_columns, envelope_rows = tables[envelope_table]
    assert set(envelope_columns) == {
        "id",
        "box_id",
        "scope",
        "channel",
        "sealed",
        "review",
        "receipt_hash",
        "mixed",
    }
    participation_columns, participation_rows = tables[participation_table]
    assert set(participation_columns) == {"id", "contest_id", "scope", "user_id", "voted_on"}
    assert user_table not in targets

    # 3. No time at all on an envelope, only the day on a participation.
    for row in envelope_rows:
        assert not any(isinstance(v, datetime.date) for v in row)
    for row in participation_rows:
        day = row[participation_columns.index("voted_on")]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(day))

    # 4. Every envelope has the same length, whatever it holds.
    sealed = envelope_columns.index("sealed")
    assert len({len(bytes(row[sealed])) for row in envelope_rows}) == 1

    # 5. And yet everything adds up: three participations, three envelopes, the change
    #    counted once the box is opened.
    assert len(participation_rows) == 3 and len(envelope_rows) == 3
    with time_machine.travel(poll.closes_at + datetime.timedelta(minutes=1)):
        secrecy.open_contest(poll)
    single = poll.question_list[0]
    chosen = Answer.objects.filter(question=single).values_list("option__text", flat=True)
    assert sorted(chosen) == sorted(["Market", "Station", "Market"])
    ballot_columns = {f.column for f in Ballot._meta.concrete_fields}
    assert ballot_columns == {"id", "poll_id", "channel"}  # no receipt, no date, no voter


def test_envelopes_cannot_be_opened_without_the_ballot_key_secret(cast_votes, poll):
    """A database copy and SECRET_KEY are not enough: the private key is wrapped with
    BALLOT_KEY_SECRET, which lives in the environment."""
    box = BallotBox.objects.get(contest=poll)
    with override_settings(BALLOT_KEY_SECRET="someone-elses-guess-0123456789abcdef"):
        with pytest.raises(ImproperlyConfigured, match="cannot be unwrapped"):
            secrecy.decrypt_all(poll)
        with time_machine.travel(poll.closes_at + datetime.timedelta(minutes=1)):
            with pytest.raises(ImproperlyConfigured):
                secrecy.open_contest(poll)
    # Nothing was opened or destroyed by the failed attempt.
    assert SealedEnvelope.objects.count() == 3 and Ballot.objects.count() == 0
    box.refresh_from_db()
    assert box.opened_on is None and bytes(box.wrapped_private_key)
    # The wrapped key is not a key: it is 72 bytes (nonce, tag, key) of ciphertext.
    assert len(bytes(box.wrapped_private_key)) == 24 + 16 + 32
    with time_machine.travel(poll.closes_at + datetime.timedelta(minutes=1)):
        assert secrecy.open_contest(poll).opened_envelopes == 3
    box.refresh_from_db()
    assert bytes(box.wrapped_private_key) == b""  # destroyed with the envelopes


def test_opening_twice_opens_nothing_twice_and_results_are_kept(cast_votes, poll, city):
    with time_machine.travel(poll.closes_at + datetime.timedelta(minutes=1)):
        first = secrecy.open_contest(poll)
        again = secrecy.open_contest(poll)
        assert first.pk == again.pk and again.opened_envelopes == 3
        assert Ballot.objects.count() == 3 and Answer.objects.filter(question__poll=poll).exists()
        stored = BallotBox.objects.get(contest=poll).results
        assert sum(stored["turnout"].values()) == 3
        # Closed results are read from what the opening stored, not recounted per request.
        Answer.objects.all().delete()
        computed = results.compute(poll, city)
    totals = [o.total for o in computed.questions[0].options]
    assert totals == [0, 1, 2]  # City hall, Station, Market (one voter changed to Market)
    assert BallotBox.objects.get(contest=poll).results == stored


def test_opening_waits_for_the_close(cast_votes, poll):
    assert secrecy.open_contest(poll) is None
    assert SealedEnvelope.objects.count() == 3 and Ballot.objects.count() == 0


def test_the_command_opens_closed_boxes(cast_votes, poll):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("open_ballot_boxes", stdout=out)
    assert "0 ballot box(es) opened." in out.getvalue()
    with time_machine.travel(poll.closes_at + datetime.timedelta(minutes=1)):
        call_command("open_ballot_boxes", stdout=out)
    assert "1 ballot box(es) opened." in out.getvalue()
    assert Ballot.objects.count() == 3 and SealedEnvelope.objects.count() == 0


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
