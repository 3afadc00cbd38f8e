"""Casting, confirming, changing answers, receipts, and what is refused."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from tests.factories import UserFactory
from tests.voting.factories import make_poll, verify
from tests.voting.helpers import HOST, RECEIPT_RE, ballot_data, post_vote, receipt_in
from voting import secrecy
from voting.models import Answer, Ballot, Participation, PollPage, SealedEnvelope

pytestmark = pytest.mark.django_db


def answer_texts(poll):
    """What the count will see: every sealed vote of the poll, opened in memory (or, once the
    poll's box is opened, its anonymous answers)."""
    if secrecy.is_opened(poll):
        return sorted(
            (a.question.text, a.option.text, a.rank)
            for a in Answer.objects.filter(ballot__poll=poll).select_related("question", "option")
        )
    options = {o.pk: (q.text, o.text) for q in poll.question_list for o in q.options.all()}
    return sorted(
        (*options[option_id], rank)
        for opened in secrecy.decrypt_all(poll)
        for _question_id, option_id, rank in opened.payload["answers"]
    )


def assert_nothing_stored(poll):
    assert Participation.objects.filter(contest=poll).count() == 0
    assert SealedEnvelope.objects.count() == 0
    assert Ballot.objects.filter(poll=poll).count() == 0
    assert Answer.objects.count() == 0


def test_eligible_voter_sees_the_ballot(client, poll, voter):
    client.force_login(voter)
    response = client.get(poll.url, **HOST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Where should the new bus line go?" in html
    assert "Choose up to 2 options." in html
    assert "Rank up to 3 options: 1 is your first choice." in html
    assert 'type="radio"' in html and 'type="checkbox"' in html


def test_review_step_shows_the_answers_and_records_nothing(client, poll, voter):
    client.force_login(voter)
    response = post_vote(client, poll, ballot_data(poll, single=1), confirm=False)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Confirm your vote" in html
    assert "Station" in html
    assert 'name="confirm" value="yes"' in html
    assert_nothing_stored(poll)


def test_confirmed_vote_is_recorded_with_a_receipt(client, poll, voter):
    client.force_login(voter)
    response = post_vote(client, poll, ballot_data(poll, single=1, multiple=(0, 2)))
    assert response.status_code == 200
    assert "Your vote is recorded" in response.content.decode()
    receipt = receipt_in(response)
    assert receipt and RECEIPT_RE.fullmatch(receipt)
    assert Participation.objects.filter(contest=poll, user=voter).count() == 1
    # Sealed until the close: one envelope, no readable ballot.
    envelope = SealedEnvelope.objects.get()
    assert receipt not in envelope.receipt_hash and b"Station" not in bytes(envelope.sealed)
    assert Ballot.objects.count() == 0 and Answer.objects.count() == 0
    assert answer_texts(poll) == sorted(
        [
            ("Where should the new bus line go?", "Station", None),
            ("Which stops matter most?", "School", None),
            ("Which stops matter most?", "Park", None),
            ("Rank the timetables", "Morning", 1),
            ("Rank the timetables", "Evening", 2),
            ("Rank the timetables", "Night", 3),
        ]
    )
    # The poll page now says so, and offers to change with the receipt remembered in a cookie.
    page = client.get(poll.url, **HOST).content.decode()
    assert "You have voted" in page
    assert f'value="{receipt}"' in page


def test_changing_answers_with_the_receipt_replaces_them(client, poll, voter):
    client.force_login(voter)
    receipt = receipt_in(post_vote(client, poll, ballot_data(poll, single=0)))
    # The receipt typed by hand works as well as the remembered one.
    del client.cookies[f"poll{poll.pk}_receipt"]
    response = post_vote(
        client,
        poll,
        ballot_data(poll, single=2, multiple=(3,), ranking=(2, 1)),
        action="change",
        receipt=receipt.lower().replace("-", " "),
    )
    assert response.status_code == 200
    assert "Your new answers are recorded" in response.content.decode()
    assert receipt_in(response) == receipt
    assert Participation.objects.filter(contest=poll).count() == 1
    assert SealedEnvelope.objects.count() == 1
    assert answer_texts(poll) == sorted(
        [
            ("Where should the new bus line go?", "Market", None),
            ("Which stops matter most?", "Library", None),
            ("Rank the timetables", "Night", 1),
            ("Rank the timetables", "Evening", 2),
        ]
    )


def test_changing_with_a_wrong_receipt_changes_nothing(client, poll, voter):
    client.force_login(voter)
    post_vote(client, poll, ballot_data(poll, single=0))
    before = answer_texts(poll)
    response = post_vote(
        client, poll, ballot_data(poll, single=2), action="change", receipt="AAAA-BBBB-CCCC-DDDD"
    )
    assert response.status_code == 409
    assert "No ballot in this poll matches that receipt code." in response.content.decode()
    response = post_vote(client, poll, ballot_data(poll, single=2), action="change", receipt="x")
    assert response.status_code == 400
    assert "A receipt code has 16 letters and digits" in response.content.decode()
    assert answer_texts(poll) == before


def test_voting_twice_is_refused(client, poll, voter):
    client.force_login(voter)
    post_vote(client, poll, ballot_data(poll, single=0))
    response = post_vote(client, poll, ballot_data(poll, single=1))
    assert response.status_code == 409
    assert "You have already voted in this poll." in response.content.decode()
    assert Participation.objects.filter(contest=poll).count() == 1
    assert SealedEnvelope.objects.count() == 1
    assert ("Where should the new bus line go?", "City hall", None) in answer_texts(poll)


def test_someone_who_has_not_voted_cannot_change(client, poll, voter, city):
    other = UserFactory(language="en")
    verify(other, city)
    client.force_login(voter)
    receipt = receipt_in(post_vote(client, poll, ballot_data(poll, single=0)))
    client.force_login(other)
    response = post_vote(
        client, poll, ballot_data(poll, single=2), action="change", receipt=receipt
    )
    assert response.status_code == 409
    assert "You have not voted in this poll yet." in response.content.decode()
    assert ("Where should the new bus line go?", "City hall", None) in answer_texts(poll)


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda poll, data: data.update({f"q{poll.question_list[0].pk}": "999999"}),
            "Select a valid choice",
        ),
        (
            lambda poll, data: data.update({f"q{poll.question_list[0].pk}": "abc"}),
            "Select a valid choice",
        ),
        (lambda poll, data: data.pop(f"q{poll.question_list[0].pk}"), "Choose an option."),
        (
            # an option of another question
            lambda poll, data: data.update(
                {f"q{poll.question_list[0].pk}": str(poll.question_list[1].options.all()[0].pk)}
            ),
            "Select a valid choice",
        ),
        (
            lambda poll, data: data.update(
                {
                    f"q{poll.question_list[1].pk}": [
                        str(o.pk) for o in poll.question_list[1].options.all()[:3]
                    ]
                }
            ),
            "Choose at most 2 options.",
        ),
        (
            lambda poll, data: data.pop(f"q{poll.question_list[1].pk}"),
            "Choose at least one option.",
        ),
    ],
    ids=["unknown-option", "not-a-number", "missing", "other-question", "too-many", "none"],
)
def test_bad_choices_are_refused_and_change_nothing(client, poll, voter, mutate, message):
    client.force_login(voter)
    data = ballot_data(poll)
    mutate(poll, data)
    response = post_vote(client, poll, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert_nothing_stored(poll)


@pytest.mark.parametrize(
    ("ranks", "message"),
    [
        ({0: "1", 1: "1"}, "Give each ranked option a different rank"),
        ({0: "1", 1: "3"}, "Give each ranked option a different rank"),
        ({0: "4"}, "Select a valid choice"),
        ({}, "Rank at least one option."),
    ],
    ids=["duplicate", "gap", "out-of-range", "empty"],
)
def test_bad_rankings_are_refused(client, poll, voter, ranks, message):
    client.force_login(voter)
    data = ballot_data(poll)
    question = poll.question_list[2]
    options = list(question.options.all())
    for option in options:
        data.pop(f"q{question.pk}_o{option.pk}", None)
    for position, rank in ranks.items():
        data[f"q{question.pk}_o{options[position].pk}"] = rank
    response = post_vote(client, poll, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert_nothing_stored(poll)


def test_ranking_limited_to_max_choices(client, city, voter):
    poll = make_poll(city, questions=[("ranking", "Top two", ["a", "b", "c", "d"], 2)])
    client.force_login(voter)
    question = poll.question_list[0]
    a, b, c, _d = question.options.all()
    data = {
        f"q{question.pk}_o{a.pk}": "1",
        f"q{question.pk}_o{b.pk}": "2",
        f"q{question.pk}_o{c.pk}": "3",
    }
    response = post_vote(client, poll, data)
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    del data[f"q{question.pk}_o{c.pk}"]
    assert post_vote(client, poll, data).status_code == 200


def test_votes_before_the_open_and_after_the_close_are_refused(client, poll, voter):
    client.force_login(voter)
    with time_machine.travel(poll.opens_at - datetime.timedelta(minutes=1)):
        response = post_vote(client, poll, ballot_data(poll))
        assert response.status_code == 403
        assert "This poll has not opened yet." in response.content.decode()
    with time_machine.travel(poll.closes_at):
        response = post_vote(client, poll, ballot_data(poll))
        assert response.status_code == 403
        assert "This poll has closed; votes are no longer accepted." in response.content.decode()
        assert "Review my answers" not in client.get(poll.url, **HOST).content.decode()
    assert_nothing_stored(poll)


def test_changing_after_the_close_is_refused(client, poll, voter):
    client.force_login(voter)
    receipt = receipt_in(post_vote(client, poll, ballot_data(poll, single=0)))
    before = answer_texts(poll)
    with time_machine.travel(poll.closes_at + datetime.timedelta(seconds=1)):
        response = post_vote(
            client, poll, ballot_data(poll, single=2), action="change", receipt=receipt
        )
    assert response.status_code == 403
    assert answer_texts(poll) == before


def test_ineligible_voter_is_refused_with_the_reason(client, poll):
    citizen = UserFactory(language="en")
    client.force_login(citizen)
    page = client.get(poll.url, **HOST).content.decode()
    assert "You cannot vote in this poll yet:" in page
    assert "Confirm that you live in Changwon" in page
    response = post_vote(client, poll, ballot_data(poll))
    assert response.status_code == 403
    assert "Your vote was not recorded." in response.content.decode()
    assert_nothing_stored(poll)


def test_anonymous_visitor_is_asked_to_log_in(client, poll):
    page = client.get(poll.url, **HOST).content.decode()
    assert "Log in to vote." in page
    response = post_vote(client, poll, ballot_data(poll))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert_nothing_stored(poll)


def test_unknown_action_is_a_clear_400(client, poll, voter):
    client.force_login(voter)
    response = client.post(poll.url, {"action": "steal"}, **HOST)
    assert response.status_code == 400
    assert_nothing_stored(poll)


def test_receipt_shows_answers_while_open_and_only_inclusion_after_the_close(client, poll, voter):
    client.force_login(voter)
    receipt = receipt_in(post_vote(client, poll, ballot_data(poll, single=1)))
    url = poll.url + "receipt/"
    client.logout()  # anyone holding the code may check
    client.cookies["django_language"] = "en"
    response = client.post(url, {"receipt": receipt}, **HOST)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Your ballot is stored, sealed, and will be counted when the poll closes." in html
    # While open, the holder reviews the current answers, which they may still change.
    assert "Your current answers" in html and "Station" in html and "Evening" in html

    with time_machine.travel(poll.closes_at + datetime.timedelta(hours=1)):
        html = client.post(url, {"receipt": receipt}, **HOST).content.decode()
        assert "Your ballot was counted: it is one of the 1 online ballot opened" in html
        # ...and nothing of the choices: no answers, no ballot number to look up.
        assert "Your current answers" not in html
        for option in ("City hall", "Station", "Market", "Morning", "Evening", "Night"):
            assert option not in html
        ballot = Ballot.objects.get(poll=poll)
        assert ballot.public_id not in html
        csv_text = client.get(poll.url + "answers-csv/", **HOST).content.decode()
        assert ballot.public_id in csv_text and "Station" in csv_text
        # The opened ballot carries nothing the receipt maps to.
        assert {f.name for f in Ballot._meta.concrete_fields} == {"id", "poll", "channel"}
    response = client.post(url, {"receipt": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"}, **HOST)
    assert response.status_code == 404
    assert "No ballot in this poll matches that receipt code." in response.content.decode()
    response = client.post(url, {"receipt": "<script>"}, **HOST)
    assert response.status_code == 400


def test_receipt_of_one_poll_does_not_open_another(client, poll, voter, city):
    other = make_poll(city, title="다른 투표")
    client.force_login(voter)
    receipt = receipt_in(post_vote(client, poll, ballot_data(poll)))
    response = client.post(other.url + "receipt/", {"receipt": receipt}, **HOST)
    assert response.status_code == 404


def test_poll_must_close_after_it_opens(city):
    from django.core.exceptions import ValidationError

    now = timezone.now()
    poll = PollPage(title="x", slug="x", opens_at=now, closes_at=now)
    with pytest.raises(ValidationError) as error:
        poll.clean()
    assert "The poll must close after it opens." in str(error.value)
