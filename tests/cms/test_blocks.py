"""The generic StreamField blocks: what a visitor sees, and what an editor may not save."""

import datetime
import zoneinfo
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import translation
from wagtail.embeds.embeds import get_embed_hash
from wagtail.embeds.models import Embed
from wagtail.images import get_image_model
from wagtail.images.tests.utils import get_test_image_file
from wagtail.models import Page, Site

from cms.blocks import (
    CONTENT_BLOCKS,
    CallToActionBlock,
    CardGridBlock,
    ContactBlock,
    EmbedBlock,
    FAQBlock,
    HeadingBlock,
    ImageBlock,
    RichTextBlock,
    StatisticsBlock,
    TimelineBlock,
)

SEOUL = zoneinfo.ZoneInfo("Asia/Seoul")
VIDEO_URL = "https://www.youtube.com/watch?v=participation-briefing"
VIDEO_HTML = (
    '<iframe width="200" height="113" src="https://www.youtube-nocookie.com/embed/abc" '
    'title="YouTube video player" frameborder="0" allowfullscreen></iframe>'
)


@pytest.fixture(autouse=True)
def _english():
    """Assert on the English source strings, whatever the Korean catalogue says."""
    with translation.override("en"):
        yield


def render(block, raw):
    return block.render(block.to_python(raw))


def cache_embed(url, html=VIDEO_HTML):
    """An embed Wagtail finds in its cache, so no provider is asked over the network."""
    return Embed.objects.create(
        url=url,
        max_width=None,
        hash=get_embed_hash(url),
        type="video",
        html=html,
        title="Provider's title",
        provider_name="YouTube",
        width=200,
        height=113,
    )


@pytest.fixture
def site_root(db):
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is None:
        root = Page.get_first_root_node().add_child(instance=Page(title="홈", slug="blocks-home"))
        site = Site.objects.create(hostname="blocks.test", root_page=root, is_default_site=True)
    return site.root_page


@pytest.fixture
def guide_page(site_root):
    return site_root.add_child(instance=Page(title="참여예산 안내", slug="budget-guide"))


@pytest.fixture
def image(db):
    return get_image_model().objects.create(
        title="주민총회", file=get_test_image_file(size=(1200, 800))
    )


# Heading


def test_heading_renders_level_and_anchor():
    html = render(HeadingBlock(), {"text": "신청 방법", "level": "h3", "anchor": "how-to-apply"})
    assert '<h3 class="block-section-heading" id="how-to-apply">신청 방법</h3>' in html


def test_heading_with_only_text_is_an_h2_without_id():
    html = render(HeadingBlock(), {"text": "신청 방법"})
    assert '<h2 class="block-section-heading">신청 방법</h2>' in html
    assert "id=" not in html


def test_heading_never_renders_an_unknown_level():
    html = render(HeadingBlock(), {"text": "제목", "level": "script"})
    assert html.startswith("<h2")


@pytest.mark.parametrize("anchor", ["has space", "1st", "a#b", "<x>"])
def test_heading_rejects_anchors_that_are_not_slugs(anchor):
    block = HeadingBlock()
    with pytest.raises(ValidationError) as error:
        block.clean(block.to_python({"text": "제목", "level": "h2", "anchor": anchor}))
    assert "anchor" in error.value.block_errors


def test_heading_accepts_korean_anchor():
    block = HeadingBlock()
    value = block.clean(block.to_python({"text": "제목", "level": "h2", "anchor": "신청-방법"}))
    assert value["anchor"] == "신청-방법"


# Paragraph


def test_paragraph_wraps_rich_text():
    block = RichTextBlock()
    html = render(block, "<p>시민 누구나 <b>제안</b>할 수 있습니다.</p>")
    assert html.startswith('<div class="block-rich-text">')
    assert "<b>제안</b>" in html
    assert block.features == [
        "h2",
        "h3",
        "bold",
        "italic",
        "ol",
        "ul",
        "link",
        "document-link",
        "hr",
    ]


def test_paragraph_expands_internal_page_links(guide_page):
    html = render(RichTextBlock(), f'<p><a linktype="page" id="{guide_page.pk}">안내</a></p>')
    assert 'href="' in html
    assert "/budget-guide/" in html


# Image


@pytest.mark.django_db
def test_image_renders_responsive_figure_with_alt_caption_and_credit(image):
    html = render(
        ImageBlock(),
        {
            "image": image.pk,
            "alt_text": "마을회관에서 투표하는 주민들",
            "caption": "2025년 주민총회",
            "attribution": "경상남도",
        },
    )
    assert '<figure class="block-figure">' in html
    assert 'alt="마을회관에서 투표하는 주민들"' in html
    assert "srcset=" in html
    assert "480w" in html
    assert "sizes=" in html
    assert "2025년 주민총회" in html
    assert "Credit: 경상남도" in html


@pytest.mark.django_db
def test_image_without_caption_or_credit_has_no_figcaption(image):
    html = render(ImageBlock(), {"image": image.pk, "alt_text": "주민총회 모습"})
    assert 'alt="주민총회 모습"' in html
    assert "<figcaption" not in html
    assert "Credit" not in html


@pytest.mark.django_db
def test_image_requires_alt_text(image):
    block = ImageBlock()
    with pytest.raises(ValidationError) as error:
        block.clean(block.to_python({"image": image.pk, "alt_text": ""}))
    assert set(error.value.block_errors) == {"alt_text"}


@pytest.mark.django_db
def test_image_requires_an_image():
    block = ImageBlock()
    with pytest.raises(ValidationError) as error:
        block.clean(block.to_python({"image": None, "alt_text": "설명"}))
    assert "image" in error.value.block_errors


# Call to action


def test_call_to_action_links_to_a_page(guide_page):
    html = render(
        CallToActionBlock(),
        {
            "title": "정책을 제안해 주세요",
            "text": "100명이 공감하면 위원회가 답합니다.",
            "button_label": "제안하기",
            "page": guide_page.pk,
            "url": "",
        },
    )
    assert "<h2" in html and "정책을 제안해 주세요" in html
    assert "100명이 공감하면 위원회가 답합니다." in html
    assert 'href="' + guide_page.url + '"' in html
    assert ">제안하기</a>" in html


def test_call_to_action_links_to_a_url_and_omits_empty_text():
    html = render(
        CallToActionBlock(),
        {"title": "제안하기", "button_label": "바로가기", "url": "https://www.gyeongnam.go.kr/"},
    )
    assert '<a class="button block-cta__button" href="https://www.gyeongnam.go.kr/">' in html
    assert "block-cta__text" not in html


def test_call_to_action_hides_the_button_for_an_unpublished_page(guide_page):
    guide_page.unpublish()
    html = render(
        CallToActionBlock(),
        {"title": "제안하기", "button_label": "바로가기", "page": guide_page.pk},
    )
    assert "<a " not in html


@pytest.mark.django_db
def test_call_to_action_needs_a_page_or_a_url():
    block = CallToActionBlock()
    with pytest.raises(ValidationError) as error:
        block.clean(block.to_python({"title": "제안", "button_label": "바로가기"}))
    assert set(error.value.block_errors) == {"page", "url"}
    assert error.value.block_errors["url"].messages == [
        "Choose a page or enter a URL for the button."
    ]


def test_call_to_action_rejects_both_a_page_and_a_url(guide_page):
    block = CallToActionBlock()
    raw = {
        "title": "제안",
        "button_label": "바로가기",
        "page": guide_page.pk,
        "url": "https://www.gyeongnam.go.kr/",
    }
    with pytest.raises(ValidationError) as error:
        block.clean(block.to_python(raw))
    assert error.value.block_errors["page"].messages == ["Choose a page or enter a URL, not both."]


@pytest.mark.django_db
def test_call_to_action_link_may_wait_while_saving_a_draft():
    block = CallToActionBlock()
    value = block.clean_deferred(block.to_python({"title": "제안", "button_label": "바로가기"}))
    assert value["title"] == "제안"


# Cards


def test_cards_render_as_a_list_with_linked_titles(guide_page, image):
    html = render(
        CardGridBlock(),
        {
            "heading": "참여 방법",
            "cards": [
                {"title": "시민 제안", "text": "정책을 제안하세요.", "image": image.pk},
                {"title": "참여예산", "page": guide_page.pk},
                {"title": "도청 누리집", "url": "https://www.gyeongnam.go.kr/"},
            ],
        },
    )
    assert '<h2 class="block-card-grid__heading">참여 방법</h2>' in html
    assert '<ul class="block-card-grid__list" role="list">' in html
    assert html.count("<li") == 3
    assert '<h3 class="block-card__title">시민 제안</h3>' in html
    assert f'<a class="block-card__link" href="{guide_page.url}">참여예산</a>' in html
    assert '<a class="block-card__link" href="https://www.gyeongnam.go.kr/">도청 누리집</a>' in html
    assert "정책을 제안하세요." in html
    assert 'alt=""' in html and "srcset=" in html


def test_cards_with_only_titles_have_no_links_images_or_heading():
    html = render(CardGridBlock(), {"cards": [{"title": "시민 제안"}]})
    assert "<h2" not in html
    assert "<a " not in html
    assert "<img" not in html
    assert "block-card__text" not in html
    assert '<h3 class="block-card__title">시민 제안</h3>' in html


def test_card_rejects_both_a_page_and_a_url(guide_page):
    block = CardGridBlock()
    raw = {"cards": [{"title": "제안", "page": guide_page.pk, "url": "https://example.com/"}]}
    with pytest.raises(ValidationError):
        block.clean(block.to_python(raw))


# FAQ


def test_faq_uses_details_and_summary():
    html = render(
        FAQBlock(),
        {
            "heading": "자주 묻는 질문",
            "items": [
                {"question": "누가 제안하나요?", "answer": "<p>시민 <b>누구나</b>.</p>"},
                {"question": "공감은 몇 명?", "answer": "<p>100명입니다.</p>"},
            ],
        },
    )
    assert '<h2 class="block-accordion__heading">자주 묻는 질문</h2>' in html
    assert html.count("<details") == 2
    assert '<summary class="block-accordion__question">누가 제안하나요?</summary>' in html
    assert "<b>누구나</b>" in html
    assert "100명입니다." in html


def test_faq_without_heading():
    html = render(FAQBlock(), {"items": [{"question": "질문", "answer": "<p>답</p>"}]})
    assert "<h2" not in html
    assert "<summary" in html


@pytest.mark.django_db
def test_faq_requires_an_answer():
    block = FAQBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"items": [{"question": "질문", "answer": ""}]}))


# Timeline

PHASES = {
    "heading": "2026년 일정",
    "phases": [
        {"title": "제안 접수", "start_date": "2026-03-01", "end_date": "2026-03-31"},
        {
            "title": "주민 투표",
            "start_date": "2026-04-10",
            "end_date": "2026-04-30",
            "description": "온라인으로 투표합니다.",
        },
        {"title": "결과 발표", "start_date": "2026-05-15"},
    ],
}


def phase_items(html):
    return [part for part in html.split("<li")[1:]]


@pytest.mark.parametrize(
    ("today", "current_title"),
    [
        (datetime.date(2026, 3, 1), "제안 접수"),
        (datetime.date(2026, 4, 30), "주민 투표"),
        (datetime.date(2026, 6, 1), "결과 발표"),
        (datetime.date(2026, 4, 5), None),
    ],
)
def test_timeline_marks_the_current_phase(today, current_title):
    moment = datetime.datetime.combine(today, datetime.time(9), tzinfo=SEOUL)
    with time_machine.travel(moment, tick=False):
        html = render(TimelineBlock(), PHASES)
    current = [item for item in phase_items(html) if 'aria-current="step"' in item]
    if current_title is None:
        assert current == []
    else:
        assert len(current) == 1
        assert current_title in current[0]
        assert "Current phase" in current[0]
    assert html.count("Current phase") == len(current)


def test_timeline_labels_past_and_future_phases_in_text():
    with time_machine.travel(datetime.datetime(2026, 4, 15, 9, tzinfo=SEOUL), tick=False):
        html = render(TimelineBlock(), PHASES)
    first, second, third = phase_items(html)
    assert "Finished" in first and "제안 접수" in first
    assert "Current phase" in second and "온라인으로 투표합니다." in second
    assert "Upcoming" in third and "From" in third
    assert '<time datetime="2026-03-01">' in first


def test_timeline_uses_the_local_date():
    """Just after midnight in Seoul is still the previous day in UTC."""
    with time_machine.travel(datetime.datetime(2026, 4, 10, 0, 30, tzinfo=SEOUL), tick=False):
        html = render(TimelineBlock(), PHASES)
    current = [item for item in phase_items(html) if 'aria-current="step"' in item]
    assert len(current) == 1 and "주민 투표" in current[0]


def test_open_ended_phase_ends_when_a_later_phase_starts():
    raw = {
        "phases": [
            {"title": "제안 접수", "start_date": "2026-03-01"},
            {"title": "심사", "start_date": "2026-04-01"},
            {"title": "발표", "start_date": "2026-05-01"},
        ]
    }
    with time_machine.travel(datetime.datetime(2026, 4, 2, 9, tzinfo=SEOUL), tick=False):
        html = render(TimelineBlock(), raw)
    first, second, third = phase_items(html)
    assert "Finished" in first
    assert 'aria-current="step"' in second
    assert "Upcoming" in third


def test_timeline_lists_phases_in_date_order_without_heading():
    raw = {
        "phases": [
            {"title": "둘째", "start_date": "2026-05-01"},
            {"title": "첫째", "start_date": "2026-03-01"},
        ]
    }
    html = render(TimelineBlock(), raw)
    assert "<h2" not in html
    assert html.index("첫째") < html.index("둘째")


@pytest.mark.django_db
def test_timeline_rejects_a_phase_that_ends_before_it_starts():
    block = TimelineBlock()
    raw = {"phases": [{"title": "투표", "start_date": "2026-04-30", "end_date": "2026-04-01"}]}
    with pytest.raises(ValidationError) as error:
        block.clean(block.to_python(raw))
    phase_error = error.value.block_errors["phases"].block_errors[0]
    assert phase_error.block_errors["end_date"].messages == [
        "The end date must not be before the start date."
    ]


@pytest.mark.django_db
def test_timeline_accepts_a_one_day_phase():
    block = TimelineBlock()
    raw = {"phases": [{"title": "투표", "start_date": "2026-04-30", "end_date": "2026-04-30"}]}
    assert block.clean(block.to_python(raw))["phases"][0]["title"] == "투표"


# Statistics


def test_statistics_render_values_and_labels():
    html = render(
        StatisticsBlock(),
        {
            "heading": "숫자로 보는 참여",
            "items": [
                {"value": "12,345", "label": "참여 시민", "description": "2025년 누적"},
                {"value": "318", "label": "시민 제안"},
            ],
        },
    )
    assert '<h2 class="block-stats__heading">숫자로 보는 참여</h2>' in html
    assert '<dt class="block-stats__label">참여 시민</dt>' in html
    assert '<dd class="block-stats__value">12,345</dd>' in html
    assert "2025년 누적" in html
    assert html.count("block-stats__description") == 1


def test_statistics_without_heading():
    html = render(StatisticsBlock(), {"items": [{"value": "87%", "label": "만족도"}]})
    assert "<h2" not in html
    assert "87%" in html and "만족도" in html


# Embed


@pytest.mark.django_db
def test_embed_renders_cached_html_in_a_titled_figure():
    cache_embed(VIDEO_URL)
    html = render(
        EmbedBlock(),
        {"url": VIDEO_URL, "title": "참여예산 설명회 영상", "caption": "제도 안내"},
    )
    assert (
        '<figure class="block-media block-media--video" aria-label="참여예산 설명회 영상">' in html
    )
    assert 'src="https://www.youtube-nocookie.com/embed/abc"' in html
    # The editor's title replaces the provider's, so screen readers announce it.
    assert '<iframe title="참여예산 설명회 영상" loading="lazy"' in html
    assert "YouTube video player" not in html
    assert '<figcaption class="block-media__caption">제도 안내</figcaption>' in html


@pytest.mark.django_db
def test_embed_title_is_escaped_inside_the_iframe():
    cache_embed(VIDEO_URL)
    html = render(EmbedBlock(), {"url": VIDEO_URL, "title": 'A "quoted" <title>'})
    assert 'title="A &quot;quoted&quot; &lt;title&gt;"' in html


@pytest.mark.django_db
def test_embed_without_provider_falls_back_to_a_link():
    url = "https://video.example.invalid/watch/42"
    html = render(EmbedBlock(), {"url": url, "title": "설명회 영상"})
    assert f'<a href="{url}">설명회 영상</a>' in html
    assert "<iframe" not in html
    assert "<figcaption" not in html


@pytest.mark.django_db
def test_embed_survives_a_failing_provider():
    with mock.patch("cms.blocks.embeds.get_embed", side_effect=RuntimeError("provider down")):
        html = render(EmbedBlock(), {"url": VIDEO_URL, "title": "설명회 영상"})
    assert f'<a href="{VIDEO_URL}">설명회 영상</a>' in html


def test_embed_with_no_url_renders_no_link():
    html = EmbedBlock().render(EmbedBlock().to_python({"url": "", "title": "영상"}))
    assert "<a " not in html and "<iframe" not in html


# Contact


def test_contact_renders_address_with_phone_and_email_links():
    html = render(
        ContactBlock(),
        {
            "heading": "문의",
            "department": "소통협력담당관",
            "person": "참여예산 담당자",
            "phone": "055-211-2114",
            "email": "budget@example.go.kr",
            "address": "창원시 의창구 중앙대로 300\n본관 3층",
            "hours": "평일 09:00~18:00",
        },
    )
    assert '<h2 class="block-contact-card__heading">문의</h2>' in html
    assert "<address" in html
    assert '<a href="tel:0552112114">055-211-2114</a>' in html
    assert '<a href="mailto:budget@example.go.kr">budget@example.go.kr</a>' in html
    assert "중앙대로 300<br>본관 3층" in html
    for text in ("소통협력담당관", "참여예산 담당자", "평일 09:00~18:00", "Phone", "Email"):
        assert text in html


def test_contact_renders_only_the_fields_given():
    html = render(ContactBlock(), {"department": "소통협력담당관", "email": "a@example.go.kr"})
    assert "소통협력담당관" in html
    assert "mailto:a@example.go.kr" in html
    for absent in (
        "tel:",
        "<h2",
        "Phone",
        "Address",
        "Opening hours",
        "block-contact-card__person",
    ):
        assert absent not in html


def test_contact_keeps_the_international_prefix():
    html = render(ContactBlock(), {"phone": "+82 55-211-2114"})
    assert 'href="tel:+82552112114"' in html


@pytest.mark.django_db
def test_contact_rejects_a_phone_number_with_letters():
    block = ContactBlock()
    with pytest.raises(ValidationError) as error:
        block.clean(block.to_python({"phone": "call me"}))
    assert set(error.value.block_errors) == {"phone"}


# Every block in the library


def test_content_blocks_names():
    assert [name for name, _ in CONTENT_BLOCKS] == [
        "heading",
        "paragraph",
        "image",
        "call_to_action",
        "cards",
        "faq",
        "timeline",
        "statistics",
        "embed",
        "contact",
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "block"), CONTENT_BLOCKS, ids=[n for n, _ in CONTENT_BLOCKS])
def test_every_block_previews_in_the_block_picker(name, block):
    assert hasattr(block.meta, "preview_value")
    assert block.meta.icon and block.meta.icon != "placeholder"
    assert block.get_description()
    assert block.label
    assert block.is_previewable
    if name == "embed":
        cache_embed(block.meta.preview_value["url"])

    raw = block.meta.preview_value
    raw = raw() if callable(raw) else raw
    html = block.render(block.to_python(raw))
    assert html.strip()

    preview = block.get_preview_value()
    context = {
        "request": None,
        "block_def": block,
        "block_class": type(block),
        "bound_block": block.bind(preview),
        "page_title": str(block.label),
    }
    page = render_to_string(block.get_preview_template(preview, context), context)
    assert "cms/css/blocks.css" in page
    assert "cms/css/site.css" in page
    assert block.render(preview).strip() in page


@pytest.mark.django_db
def test_image_preview_uses_the_newest_library_image(image):
    preview = ImageBlock().get_preview_value()
    assert preview["image"] == image
    assert 'alt="주민들이' in ImageBlock().render(preview)


def test_timeline_preview_always_has_a_current_phase():
    html = TimelineBlock().render(TimelineBlock().get_preview_value())
    assert html.count('aria-current="step"') == 1
