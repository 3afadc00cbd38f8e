"""What a new municipality gets from participation (cms.signals.municipality_created):
the proposals and debates pages in its menu, default topics, and, through publishing the
proposals page, its moderator and committee groups and the proposal workflow."""

from participation.models import DebateIndexPage, ParticipationSettings, ProposalIndexPage, Topic

DEFAULT_TOPICS = ["교통", "환경", "복지", "문화·관광", "안전"]


def _add_index(site, model, **fields):
    index = model.objects.descendant_of(site.root_page).first()
    if index is None:
        index = model(show_in_menus=True, **fields)
        site.root_page.add_child(instance=index)
        index.save_revision().publish()  # the proposals index sets up groups and workflow
    return index


def on_municipality_created(sender, site, **kwargs):
    from participation.debate_views import ensure_moderator_permissions

    _add_index(
        site,
        ProposalIndexPage,
        title="시민 제안",
        slug="proposals",
        intro="정책을 제안하고 공감을 모아 주세요. 기준 공감 수를 넘으면 위원회가 심의하고 답변합니다.",
    )
    debates = _add_index(
        site,
        DebateIndexPage,
        title="토론",
        slug="debates",
        intro="우리 지역의 문제를 함께 토론해 주세요.",
    )
    ensure_moderator_permissions(debates, ParticipationSettings.for_site(site).moderators_group)
    for order, name in enumerate(DEFAULT_TOPICS):
        Topic.objects.get_or_create(site=site, name=name, defaults={"sort_order": order})
