"""Demo polls on both sites: an open poll to vote in and a closed one with results.

Idempotent: `seed_demo` may run any number of times. Before the other apps' demos run
(`prepare`), citizen1, citizen2 and citizen3 become verified residents of Changwon (and so
of the province), the first two through the census, the third through the demo identity
provider. Changwon's census also holds the resident in DEMO_RESIDENT, so a new account
can verify itself at once; both sites offer the demo identity provider and staff review.
"""

import datetime
import random

from django.contrib.auth.models import Group, Permission
from django.utils import timezone

from cms.models import MunicipalitySettings, User
from voting import hashing, secrecy, verification
from voting.identity import IdentityResult
from voting.identity.demo import demo_ci
from voting.models import (
    CensusEntry,
    OfflineResult,
    OfflineTurnout,
    Participation,
    PollIndexPage,
    PollOption,
    PollPage,
    PollQuestion,
    VoterVerification,
    VotingSettings,
)

# A Changwon resident in the demo census that nobody has claimed: sign up and type these
# on the "Can I vote?" page (README, "Becoming an eligible voter in the demo").
DEMO_RESIDENT = ("홍길동", datetime.date(1990, 1, 1), "중앙대로 151", "의창구")
CENSUS = [
    # (account, name, date of birth, road name and building number, district)
    ("citizen1@example.com", "김민지", datetime.date(1988, 3, 14), "원이대로 450", "의창구"),
    ("citizen2@example.com", "이준호", datetime.date(2001, 9, 2), "창이대로 532", "성산구"),
    (None, *DEMO_RESIDENT),
]
PROVIDER_VERIFIED = [("citizen3@example.com", "박서연", datetime.date(1995, 5, 5), "010-5555-0303")]

POLLS = {
    "gyeongnam": {
        "open": (
            "청년 정책 우선순위 정하기",
            "youth-priorities",
            [
                (
                    "single",
                    "가장 먼저 확대해야 할 청년 정책은?",
                    ["주거 지원", "일자리", "교통비 지원"],
                    None,
                ),
                (
                    "multiple",
                    "관심 있는 분야를 골라 주세요 (최대 2개)",
                    ["문화", "창업", "교육", "복지"],
                    2,
                ),
            ],
        ),
        "closed": (
            "도립 도서관 운영 시간 연장",
            "library-hours",
            [("single", "도립 도서관 야간 운영에 찬성하십니까?", ["찬성", "반대"], None)],
        ),
    },
    "changwon": {
        "open": (
            "우리 동네 공원 이름 정하기",
            "park-name",
            [
                (
                    "single",
                    "새 근린공원의 이름으로 어느 것이 좋을까요?",
                    ["푸른숲공원", "해오름공원", "창원중앙공원"],
                    None,
                ),
                (
                    "ranking",
                    "공원에 필요한 시설의 순위를 매겨 주세요",
                    ["놀이터", "산책로", "운동기구", "쉼터"],
                    3,
                ),
            ],
        ),
        "closed": (
            "시내버스 심야 노선 신설",
            "night-bus",
            [
                (
                    "single",
                    "심야 버스 노선 신설에 찬성하십니까?",
                    ["찬성", "반대", "잘 모르겠다"],
                    None,
                ),
                (
                    "multiple",
                    "심야 버스가 꼭 서야 할 곳 (최대 2곳)",
                    ["창원역", "마산역", "진해구청", "상남동"],
                    2,
                ),
            ],
        ),
    },
}

DISTRICTS = {"changwon": "의창구\n성산구\n마산합포구\n마산회원구\n진해구", "gyeongnam": ""}


def ensure_index(site):
    home = site.root_page.specific
    index = PollIndexPage.objects.child_of(home).first()
    if index is None:
        index = PollIndexPage(
            title="투표", slug="polls", intro="주요 현안에 주민 여러분의 뜻을 묻습니다."
        )
        home.add_child(instance=index)
    index.show_in_menus = True
    index.save_revision().publish()
    return index


def ensure_poll(index, title, slug, questions, opens_at, closes_at):
    poll = PollPage.objects.child_of(index).filter(slug=slug).first()
    if poll is not None:
        poll.opens_at, poll.closes_at = opens_at, closes_at
        poll.save_revision().publish()
        return poll
    poll = PollPage(
        title=title,
        slug=slug,
        opens_at=opens_at,
        closes_at=closes_at,
        introduction=[
            {
                "type": "paragraph",
                "value": "<p>인증된 주민이라면 누구나 투표할 수 있습니다. 투표 내용은 이름과 "
                "분리되어 저장되며, 마감 전까지 영수증 코드로 답을 바꿀 수 있습니다.</p>",
            }
        ],
    )
    for number, (kind, text, options, max_choices) in enumerate(questions):
        question = PollQuestion(text=text, kind=kind, max_choices=max_choices, sort_order=number)
        question.options = [PollOption(text=t, sort_order=i) for i, t in enumerate(options)]
        poll.questions.add(question)
    index.add_child(instance=poll)
    poll.save_revision().publish()
    return PollPage.objects.get(pk=poll.pk)


def seed_results(poll, voters):
    """Past votes for a closed poll, through its ballot box (sealed, then opened as at the
    close): the demo citizens online, and paper ballots."""
    if secrecy.is_opened(poll):
        return
    chooser = random.Random(poll.slug)  # the same demo results every time
    for user in voters:
        if Participation.objects.filter(contest=poll, user=user).exists():
            continue
        answers = []
        for question in poll.question_list:
            options = list(question.options.all())
            limit = question.choice_limit(len(options))
            picked = chooser.sample(options, 1 if question.kind == "single" else limit)
            for rank, option in enumerate(picked, start=1):
                answers.append(
                    [question.pk, option.pk, rank if question.kind == "ranking" else None]
                )
        secrecy.cast(poll, "", user, {"answers": answers})
    for question in poll.question_list:
        for position, option in enumerate(question.options.all()):
            OfflineResult.objects.update_or_create(
                poll=poll,
                option=option,
                channel="paper",
                defaults={"count": chooser.randint(20, 120) // (position + 1)},
            )
    OfflineTurnout.objects.update_or_create(poll=poll, channel="paper", defaults={"ballots": 180})
    poll.eligible_population = 2500
    poll.save_revision().publish()
    secrecy.open_contest(poll)


def ensure_live_blocks(site, closed_poll):
    home = site.root_page.specific
    body = list(home.body.raw_data)
    types = {block["type"] for block in body}
    if "open_polls" in types and "poll_results" in types:
        return
    body.append({"type": "open_polls", "value": {"heading": "진행 중인 투표", "count": 3}})
    body.append({"type": "poll_results", "value": {"heading": "", "poll": closed_poll.pk}})
    home.body = body
    home.save_revision().publish()


def ensure_voters(site):
    """Changwon's census and its verified demo residents (run before the other apps' demos,
    whose supports need residents)."""
    config = VotingSettings.for_site(site)
    people = {u.email: u for u in User.objects.filter(email__startswith="citizen")}
    verified = []
    for email, name, born, code, district in CENSUS:
        digest = hashing.census_hash(name, born, code, config.census_salt)
        CensusEntry.objects.get_or_create(
            site=site, identity_hash=digest, defaults={"birth_date": born, "district": district}
        )
        user = people.get(email)
        if user is None:
            continue
        if not VoterVerification.objects.filter(user=user, site=site).exists():
            verification.verify_by_census(user, site, name, born, code, district)
        verified.append(user)
    for email, name, born, phone in PROVIDER_VERIFIED:
        user = people.get(email)
        if user is None:
            continue
        if not VoterVerification.objects.filter(user=user, site=site).exists():
            result = IdentityResult(ci=demo_ci(name, born, phone), birth_date=born)
            verification.verify_by_provider(user, site, result, "진해구")
        verified.append(user)
    return verified


def prepare(sites):
    for site in sites.values():
        config = VotingSettings.for_site(site)
        config.use_identity_provider = True
        config.identity_provider = "demo"
        config.save()
    ensure_voters(sites["changwon"])


def grant_staff(site):
    name = MunicipalitySettings.for_site(site).name_ko
    group = Group.objects.filter(name=f"{name} 편집자").first()
    if group:
        group.permissions.add(
            *Permission.objects.filter(
                content_type__app_label="voting",
                codename__in=[
                    "add_voterverification",
                    "change_voterverification",
                    "view_voterverification",
                ],
            )
        )


def seed(sites):
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    city_voters = ensure_voters(sites["changwon"])[:2]
    for slug, site in sites.items():
        config = VotingSettings.for_site(site)
        config.districts = DISTRICTS.get(slug, "")
        config.save()
        grant_staff(site)
        index = ensure_index(site)
        title, poll_slug, questions = POLLS[slug]["open"]
        ensure_poll(
            index,
            title,
            poll_slug,
            questions,
            now - datetime.timedelta(days=3),
            now + datetime.timedelta(days=14),
        )
        title, poll_slug, questions = POLLS[slug]["closed"]
        closed = ensure_poll(
            index,
            title,
            poll_slug,
            questions,
            now - datetime.timedelta(days=40),
            now - datetime.timedelta(days=10),
        )
        seed_results(closed, city_voters)
        ensure_live_blocks(site, closed)
