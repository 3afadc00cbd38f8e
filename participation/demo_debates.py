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
# What people say in each thread, so comments fit what they answer: (position, text).
TALK = {
    "bus": {
        "opinions": [
            (
                "for",
                "찬성합니다. 간선버스가 생기면 창원에서 김해까지 출퇴근 시간이 크게 줄 것 같습니다.",
            ),
            (
                "against",
                "반대합니다. 지선으로 바뀌는 마을버스 구간은 배차 간격이 더 벌어집니다.\n"
                "어르신들이 환승하기 어렵습니다.",
            ),
            ("neutral", "취지는 좋지만 한 노선에서 시범 운영한 결과를 먼저 보고 싶습니다."),
            (
                "for",
                "도가 공개한 승하차 자료를 보니 이용객이 많은 구간부터 바꾸는 게 맞습니다. https://www.gyeongnam.go.kr",
            ),
            ("against", "환승 할인이 같이 늘지 않으면 요금 부담만 커집니다."),
            ("neutral", "심야 시간대 노선이 어떻게 되는지 안내가 부족합니다."),
        ],
        "replies": [
            "좋은 지적입니다. 환승 정류장에 쉼터도 있어야 합니다.",
            "저도 같은 생각입니다. 다만 야간 배차도 함께 봐야 합니다.",
            "개편안 자료 몇 쪽에 나오는지 알려 주실 수 있을까요?",
            "저희 동네는 오히려 배차가 좋아지던데요. 노선마다 다른 것 같습니다.",
        ],
        "more": "맞습니다. 저도 매일 그 노선을 타는데 같은 경험을 했습니다.",
    },
    "dogs": {
        "opinions": [
            ("for", "찬성합니다. 목줄과 배변 봉투만 지키면 함께 산책할 수 있어야 합니다."),
            ("against", "반대합니다. 아이들이 노는 놀이터 근처만큼은 출입을 막아 주세요."),
            (
                "neutral",
                "시간대를 나눠 허용하면 어떨까요? 이른 아침과 저녁만 허용하는 방식도 있습니다.",
            ),
            ("for", "반려견 놀이터가 따로 있으면 공원 다른 곳의 갈등도 줄 것 같습니다."),
            ("against", "배변을 치우지 않는 경우가 아직 많습니다. 단속부터 해 주세요."),
        ],
        "replies": [
            "시간대를 나누는 안에 동의합니다.",
            "큰 개를 무서워하는 아이들도 있다는 점을 생각해 주세요.",
            "다른 시는 어떻게 운영하는지 사례가 궁금합니다.",
            "배변 봉투함을 공원 입구마다 두면 좋겠습니다.",
        ],
        "more": "맞습니다. 저희 아파트 앞 공원도 같은 문제가 있습니다.",
    },
    "festival": {
        "opinions": [
            ("for", "찬성합니다. 작년 축제 뒤 쓰레기 더미를 보고 놀랐습니다."),
            ("neutral", "다회용기 회수와 세척을 누가 맡는지가 관건입니다."),
            ("for", "다회용기 보증금을 받으면 반납률이 높아진다고 들었습니다."),
            ("against", "노점 상인들의 부담이 커집니다. 비용 지원이 먼저입니다."),
            ("for", "텀블러를 가져오면 할인해 주는 방법도 함께 하면 좋겠습니다."),
        ],
        "replies": [
            "세척은 지역 자활센터와 함께 하면 일자리도 생깁니다.",
            "상인 지원 방안이 함께 나오면 좋겠습니다.",
            "다른 지역 축제의 반납률 자료가 있을까요?",
            "저도 텀블러 할인에 찬성합니다.",
        ],
        "more": "좋은 생각입니다. 자원봉사로 돕겠습니다.",
    },
    "proposal": {
        "opinions": [
            ("for", "이 제안에 공감합니다. 우리 동네에도 꼭 필요합니다."),
            ("neutral", "좋은 제안인데 예산이 얼마나 드는지 궁금합니다."),
            ("for", "가족들과 이야기해 봤는데 모두 찬성했습니다."),
            ("against", "취지는 알겠지만 더 급한 일이 먼저라고 생각합니다."),
            ("for", "비슷한 일을 하는 다른 시의 사례를 보면 효과가 컸습니다."),
        ],
        "replies": [
            "예산은 시범 운영으로 먼저 확인해 보면 좋겠습니다.",
            "저도 같은 생각입니다.",
            "사례 자료를 공유해 주시면 감사하겠습니다.",
            "우선순위를 정하는 것도 위원회가 함께 봐 주면 좋겠습니다.",
        ],
        "more": "동의합니다. 구체적인 위치도 제안서에 넣으면 좋겠습니다.",
    },
}
# Added to later comments so a long thread does not repeat itself word for word.
TAILS = [
    "",
    " 주변 이웃들도 비슷하게 말합니다.",
    " 제 경험을 덧붙였습니다.",
    " 담당 부서의 답변을 기다리겠습니다.",
    " 다른 분들 의견도 궁금합니다.",
    " 꼭 반영되면 좋겠습니다.",
    " 자료를 더 찾아보겠습니다.",
]
DEBATES = [
    {
        "title": "시내버스 노선 개편안, 어떻게 생각하십니까?",
        "summary": "도는 내년 시내버스 노선 개편안을 마련했습니다. 간선·지선 체계로 바꾸는 안에 대해 "
        "찬성과 반대 의견을 들려주세요.",
        "official": True,
        "long": True,
        "talk": "bus",
    },
    {
        "title": "공원 내 반려견 출입, 허용해야 할까요?",
        "summary": "목줄을 한 반려견의 도시공원 출입을 전면 허용하자는 의견이 있습니다.",
        "official": False,
        "talk": "dogs",
    },
    {
        "title": "일회용품 없는 축제 만들기",
        "summary": "지역 축제에서 일회용품을 없애는 방안을 토론했습니다.",
        "official": True,
        "talk": "festival",
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


def _thread(page, people, tops, rng, start, talk):
    """Top-level comments with replies two levels deep, in bulk, then exact counters."""
    positions = page.comment_positions
    talk = TALK[talk]
    opinions, replies = talk["opinions"], talk["replies"]
    top_rows = Comment.objects.bulk_create(
        [
            Comment(
                page_id=page.pk,
                author=people[n % len(people)],
                position=opinions[n % len(opinions)][0] if positions else "",
                body=opinions[n % len(opinions)][1] + TAILS[(n // len(opinions)) % len(TAILS)],
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
                    body=replies[r % len(replies)],
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
                body=talk["more"],
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
            _thread(
                debate, people, tops, rng, now - datetime.timedelta(days=30 - number), spec["talk"]
            )
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
                _thread(proposal, people, 30, rng, now - datetime.timedelta(days=5), "proposal")
