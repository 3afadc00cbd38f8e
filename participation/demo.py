"""Demo proposals in every stage on both demo sites, made through the real workflow. Idempotent."""

import datetime

from django.utils import timezone

from cms.models import User
from participation import workflow
from participation.models import (
    Area,
    ImplementationUpdate,
    ProposalIndexPage,
    ProposalPage,
    Support,
    Topic,
)

TOPICS = ["교통", "환경", "복지", "문화·관광", "안전"]
AREAS = {"changwon": ["의창구", "성산구", "마산합포구", "마산회원구", "진해구"]}
# (title, summary, topic, stage): each site its own, a province's and a city's concerns.
PROPOSALS = {
    "gyeongnam": [
        (
            "시외버스 교통카드 환승 할인",
            "시·군을 오가는 시외버스도 시내버스처럼 환승 할인을 해 주세요.",
            "교통",
            "adopted",
        ),
        (
            "남해안 섬 여객선 공영제",
            "섬 주민의 발이 되는 여객선을 도가 직접 운영해 주세요.",
            "교통",
            "implemented",
        ),
        (
            "국도변 졸음쉼터 조명 개선",
            "밤에도 안전하게 쉴 수 있도록 졸음쉼터 조명을 밝혀 주세요.",
            "안전",
            "partly_adopted",
        ),
        (
            "도립 미술관 입장료 무료화",
            "도민에게 도립 미술관 상설전을 무료로 열어 주세요.",
            "문화·관광",
            "rejected_by_committee",
        ),
        (
            "청년 월세 지원 대상 확대",
            "군 지역 청년도 월세 지원을 받을 수 있게 해 주세요.",
            "복지",
            "review",
        ),
        (
            "낙동강 하굿둑 생태 관찰로",
            "철새 도래지를 망가뜨리지 않는 관찰로를 만들어 주세요.",
            "환경",
            "collecting",
        ),
        (
            "농어촌 작은학교 통학버스",
            "분교 학생들을 위한 공동 통학버스를 운영해 주세요.",
            "복지",
            "collecting",
        ),
        (
            "지리산 둘레길 안내 앱",
            "둘레길 구간별 안내와 응급 연락을 한 앱에서 하게 해 주세요.",
            "문화·관광",
            "lapsed",
        ),
        (
            "도청 주차장 주말 개방",
            "주말에 도청 주차장을 시민에게 개방해 주세요.",
            "교통",
            "withdrawn",
        ),
        (
            "마을 경로당 폭염 쉼터 지정",
            "폭염 기간 경로당을 무더위 쉼터로 지정하고 냉방비를 지원해 주세요.",
            "복지",
            "moderation",
        ),
        ("광고 게시물", "홍보 문구만 있는 제안입니다.", "문화·관광", "rejected"),
    ],
    "changwon": [
        (
            "버스 정류장 그늘막 설치",
            "여름철 정류장 이용객을 위한 그늘막을 늘려 주세요.",
            "교통",
            "adopted",
        ),
        (
            "누비자 야간 운영",
            "퇴근이 늦은 시민도 공공자전거 누비자를 탈 수 있게 해 주세요.",
            "교통",
            "implemented",
        ),
        (
            "창원천 산책로 조명 개선",
            "밤에도 안전하게 걸을 수 있도록 창원천 산책로 조명을 밝혀 주세요.",
            "안전",
            "partly_adopted",
        ),
        (
            "상남동 공영주차장 무료화",
            "주말 상남동 공영주차장을 무료로 개방해 주세요.",
            "교통",
            "rejected_by_committee",
        ),
        (
            "어린이 물놀이터 확충",
            "여름방학 동안 동네마다 물놀이터를 열어 주세요.",
            "복지",
            "review",
        ),
        (
            "일회용 컵 보증금 확대",
            "지역 카페와 함께 다회용 컵 사용을 늘려 주세요.",
            "환경",
            "collecting",
        ),
        ("작은도서관 주말 개방", "주말에도 작은도서관을 열어 주세요.", "문화·관광", "collecting"),
        (
            "반려견 놀이터 조성",
            "용지호수공원 한쪽에 반려견 놀이터를 만들어 주세요.",
            "복지",
            "lapsed",
        ),
        (
            "마산어시장 주차 안내 앱",
            "어시장 주차 가능 대수를 알려 주는 서비스를 만들어 주세요.",
            "교통",
            "withdrawn",
        ),
        (
            "진해 군항제 셔틀버스 증편",
            "군항제 기간 창원중앙역에서 진해까지 셔틀버스를 늘려 주세요.",
            "교통",
            "moderation",
        ),
        ("광고 게시물", "홍보 문구만 있는 제안입니다.", "문화·관광", "rejected"),
    ],
}
BODY = (
    "<p>시민들이 불편을 겪고 있습니다. 다음을 제안합니다.</p>"
    "<ul><li>현황 조사</li><li>시범 운영</li><li>결과 공개</li></ul>"
)


def _user(email):
    return User.objects.get(email=email)


def _index(site):
    index = ProposalIndexPage.objects.descendant_of(site.root_page).first()
    if index is None:
        index = ProposalIndexPage(
            title="시민 제안",
            slug="proposals",
            intro=(
                "정책을 제안하고 공감을 모아 주세요. "
                "기준 공감 수를 넘으면 위원회가 심의하고 답변합니다."
            ),
            show_in_menus=True,
        )
        site.root_page.add_child(instance=index)
        index.save_revision().publish()
    return index


def _advance(proposal, stage, site, staff, citizens):
    Stage = ProposalPage.Stage
    author = proposal.author
    workflow.submit(proposal, author)
    if stage == Stage.MODERATION:
        return
    task_state = proposal.current_workflow_task_state
    if stage == Stage.REJECTED:
        workflow.moderate(
            proposal, task_state, staff, "reject", "홍보 목적의 글은 게시할 수 없습니다."
        )
        return
    workflow.moderate(proposal, task_state, staff, "approve")
    proposal.refresh_from_db()
    if stage == Stage.WITHDRAWN:
        workflow.withdraw(proposal, author, "already_done", "이미 민간 서비스가 있습니다.")
        return
    if stage == Stage.COLLECTING:
        Support.give(proposal, citizens[0])
        return
    if stage == Stage.LAPSED:
        Support.give(proposal, citizens[0])
        proposal.set_state(support_deadline=timezone.now() - datetime.timedelta(minutes=1))
        workflow.check_proposal(proposal.pk)
        return
    # The demo's crowd is three citizens; its proposals ask for as many supports.
    proposal.set_state(support_threshold=len(citizens))
    for citizen in citizens:
        Support.give(proposal, citizen)
    workflow.check_proposal(proposal.pk)
    proposal.refresh_from_db()
    if stage == Stage.REVIEW:
        return
    decision = Stage.ADOPTED if stage == Stage.IMPLEMENTED else stage
    answers = {
        Stage.ADOPTED: "제안을 채택합니다. 내년 예산에 반영하여 단계적으로 추진하겠습니다.",
        Stage.PARTLY_ADOPTED: "일부 구간부터 우선 개선하고, 나머지는 효과를 보고 결정하겠습니다.",
        Stage.REJECTED_BY_COMMITTEE: (
            "재정 여건과 형평성 문제로 채택하기 어렵습니다. 대신 안내를 강화하겠습니다."
        ),
    }
    workflow.decide(
        proposal, proposal.current_workflow_task_state, staff, decision, answers[decision]
    )
    if decision == Stage.ADOPTED:
        ImplementationUpdate.objects.create(
            page=proposal,
            status="in_progress",
            progress=40,
            note="시범 구간 공사를 시작했습니다.",
            created_by=staff,
        )
    if stage == Stage.IMPLEMENTED:
        ImplementationUpdate.objects.create(
            page=proposal,
            status="completed",
            progress=100,
            note="모든 구간에서 운영을 시작했습니다.",
            created_by=staff,
        )


def seed(sites):
    _seed_proposals(sites)
    from participation.demo_debates import seed_debates

    seed_debates(sites)


def _seed_proposals(sites):
    citizens = [_user(f"citizen{n}@example.com") for n in (1, 2, 3)]
    for slug, site in sites.items():
        index = _index(site)
        for order, name in enumerate(TOPICS):
            Topic.objects.get_or_create(site=site, name=name, defaults={"sort_order": order})
        for order, name in enumerate(AREAS.get(slug, [])):
            Area.objects.get_or_create(site=site, name=name, defaults={"sort_order": order})
        workflow.ensure_workflow(site)
        moderators, committee = workflow.ensure_groups(site)
        staff = _user(f"staff.{slug}@example.com")
        staff.groups.add(moderators, committee)
        if ProposalPage.objects.child_of(index).exists():
            continue
        for number, (title, summary, topic, stage) in enumerate(
            PROPOSALS.get(slug, PROPOSALS["changwon"])
        ):
            author = citizens[number % len(citizens)]
            proposal = ProposalPage(
                title=title,
                summary=summary,
                body=BODY.format(summary=summary),
                topic=Topic.objects.get(site=site, name=topic),
                area=Area.objects.filter(site=site)
                .order_by("sort_order")[number % 5 : number % 5 + 1]
                .first(),
                author=author,
                owner=author,
                live=False,
            )
            index.add_child(instance=proposal)
            proposal.save_revision(user=author)
            _advance(proposal, stage, site, staff, [c for c in citizens if c != author])
