"""Demo debates on both demo sites: an official debate with a long thread, a citizen's debate,
a closed one with its conclusion, and a for-and-against discussion on proposals. Idempotent."""

import datetime
import random

from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone

from cms.models import User
from participation.models import (
    Comment,
    CommentVote,
    DebateIndexPage,
    DebatePage,
    DebateVote,
    ProposalPage,
)

LONG_THREAD = 400  # top-level comments on each site's official debate
OPINIONS = [
    ("for", "찬성합니다. 출퇴근 시간이 크게 줄어들 것 같습니다."),
    (
        "against",
        "반대합니다. 기존 노선 이용자들의 불편이 더 커 보입니다.\n대안도 함께 검토해 주세요.",
    ),
    ("neutral", "취지는 좋지만 시범 운영 결과를 먼저 보고 싶습니다."),
    ("for", "자료를 보니 이용객이 많은 구간부터 바꾸는 게 맞습니다. https://www.gyeongnam.go.kr"),
    ("against", "예산 대비 효과가 분명하지 않습니다."),
]
REPLIES = [
    "좋은 지적입니다.",
    "저도 같은 생각입니다. 다만 야간 시간대도 고려해야 합니다.",
    "근거 자료가 있으면 공유해 주세요.",
    "동의하지 않습니다. 현장 상황은 조금 다릅니다.",
]
DEBATES = [
    {
        "title": "시내버스 노선 개편안, 어떻게 생각하십니까?",
        "summary": "도는 내년 시내버스 노선 개편안을 마련했습니다. 간선·지선 체계로 바꾸는 안에 대해 "
        "찬성과 반대 의견을 들려주세요.",
        "official": True,
        "long": True,
    },
    {
        "title": "공원 내 반려견 출입, 허용해야 할까요?",
        "summary": "목줄을 한 반려견의 도시공원 출입을 전면 허용하자는 의견이 있습니다.",
        "official": False,
    },
    {
        "title": "일회용품 없는 축제 만들기",
        "summary": "지역 축제에서 일회용품을 없애는 방안을 토론했습니다.",
        "official": True,
        "conclusion": "참여자의 다수가 다회용기 도입에 찬성했습니다. 내년 축제부터 다회용기 대여소를 "
        "운영하고, 결과를 이 페이지에 공개하겠습니다.",
    },
]


def _index(site):
    index = DebateIndexPage.objects.descendant_of(site.root_page).first()
    if index is None:
        index = DebateIndexPage(
            title="토론",
            slug="debates",
            intro="우리 지역의 문제를 함께 토론해 주세요. 찬성·반대·중립 의견을 남길 수 있습니다.",
            show_in_menus=True,
        )
        site.root_page.add_child(instance=index)
        index.save_revision().publish()
    return index


def _thread(page, people, tops, rng, start):
    """Top-level comments with replies two levels deep, in bulk, then exact counters."""
    positions = page.comment_positions
    top_rows = Comment.objects.bulk_create(
        [
            Comment(
                page_id=page.pk,
                author=people[n % len(people)],
                position=OPINIONS[n % len(OPINIONS)][0] if positions else "",
                body=f"{OPINIONS[n % len(OPINIONS)][1]} ({n + 1})",
                created_at=start + datetime.timedelta(minutes=7 * n),
            )
            for n in range(tops)
        ]
    )
    first = []
    for n, top in enumerate(top_rows):
        for r in range(rng.choice([0, 0, 1, 2, 3]) if n % 10 else 12):
            first.append(
                Comment(
                    page_id=page.pk,
                    parent=top,
                    root=top,
                    depth=1,
                    author=people[(n + r + 1) % len(people)],
                    body=REPLIES[r % len(REPLIES)],
                    created_at=top.created_at + datetime.timedelta(minutes=r + 1),
                )
            )
    first = Comment.objects.bulk_create(first)
    second = Comment.objects.bulk_create(
        [
            Comment(
                page_id=page.pk,
                parent=reply,
                root_id=reply.root_id,
                depth=2,
                author=people[(i + 2) % len(people)],
                body="맞습니다. 구체적인 사례를 덧붙입니다.",
                created_at=reply.created_at + datetime.timedelta(seconds=30),
            )
            for i, reply in enumerate(first)
            if i % 3 == 0
        ]
    )
    votes = []
    for comment in top_rows:
        for voter in rng.sample(people, rng.randint(0, len(people))):
            if voter.pk != comment.author_id:
                votes.append(CommentVote(comment=comment, user=voter, value=rng.choice([1, 1, -1])))
    CommentVote.objects.bulk_create(votes, ignore_conflicts=True)
    Comment.recount([c.pk for c in top_rows + first + second])
    stats = Comment.objects.on(page).aggregate(n=Count("pk"), last=Max("created_at"))
    if isinstance(page, DebatePage):
        page.set_state(comment_count=stats["n"], last_comment_at=stats["last"])


def _people():
    emails = ["citizen1@example.com", "citizen2@example.com", "citizen3@example.com"]
    people = list(User.objects.filter(email__in=emails))
    for n in range(1, 13):
        user, created = User.objects.get_or_create(
            email=f"debater{n}@example.com",
            defaults={"display_name": f"토론 참여자 {n}", "is_active": True},
        )
        if created:
            user.set_unusable_password()
            user.save()
        people.append(user)
    return people


@transaction.atomic
def seed_debates(sites):
    people = _people()
    now = timezone.now()
    for slug, site in sites.items():
        index = _index(site)
        if DebatePage.objects.child_of(index).exists():
            continue
        rng = random.Random(f"debates-{slug}")
        staff = User.objects.filter(email=f"staff.{slug}@example.com").first()
        for number, spec in enumerate(DEBATES):
            debate = DebatePage(
                title=spec["title"],
                summary=spec["summary"],
                official=spec["official"],
                author=None if spec["official"] else people[number % len(people)],
                closes_at=now + datetime.timedelta(days=20) if spec["official"] else None,
            )
            index.add_child(instance=debate)
            debate.save_revision().publish()
            debate.refresh_from_db()
            tops = LONG_THREAD if spec.get("long") else 25
            _thread(debate, people, tops, rng, now - datetime.timedelta(days=30 - number))
            if spec.get("conclusion"):
                debate.close(staff, spec["conclusion"])
            for voter in people[: 8 + number]:
                DebateVote.cast(debate, voter, 1 if rng.random() < 0.7 else -1)
        proposals = (
            ProposalPage.objects.descendant_of(site.root_page)
            .live()
            .filter(stage__in=["collecting", "review", "adopted"])
        )
        for proposal in proposals[:3]:
            if not Comment.objects.on(proposal).exists():
                _thread(proposal, people, 30, rng, now - datetime.timedelta(days=5))
