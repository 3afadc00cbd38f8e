"""The generic StreamField blocks that editors build every municipality's pages from.

Each block is a small StructBlock (or a typed block) with a template of its own under
``templates/blocks/``, an icon, a description and a Korean ``preview_value`` for the
admin's block picker. Apps add their own live blocks next to these (see home/blocks.py).
"""

import datetime
import logging
import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.dateparse import parse_date
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.timezone import localdate
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks import StructBlockValidationError
from wagtail.embeds import embeds
from wagtail.embeds.blocks import EmbedBlock as WagtailEmbedBlock
from wagtail.embeds.exceptions import EmbedException
from wagtail.images import get_image_model
from wagtail.images.blocks import ImageChooserBlock
from wagtail.models import Site

from cms import live_figures

logger = logging.getLogger(__name__)

PARAGRAPH_FEATURES = ["h2", "h3", "bold", "italic", "ol", "ul", "link", "document-link", "hr"]
ANSWER_FEATURES = ["bold", "italic", "ol", "ul", "link", "document-link"]

anchor_validator = RegexValidator(
    r"^[^\W\d_][-\w]*\Z",
    _("Start with a letter and use only letters, numbers, hyphens (-) and underscores (_)."),
)
phone_validator = RegexValidator(
    r"^\+?[\d\s().-]{3,30}\Z",
    _("Enter a phone number using digits, spaces, hyphens or brackets, e.g. 055-211-2114."),
)


def page_href(page, context=None):
    """The public URL of a chosen page, or None when it is unpublished or outside any site."""
    if page is None or not page.live:
        return None
    request = (context or {}).get("request")
    return page.get_url(request=request)


def link_href(value, context=None):
    """The URL a block with optional `page` and `url` children points to, if any."""
    return page_href(value.get("page"), context) or value.get("url") or None


def validate_one_link(value, required):
    """Editors pick a page or type a URL, never both (and one at least when required)."""
    page, url = value.get("page"), value.get("url")
    if page and url:
        message = _("Choose a page or enter a URL, not both.")
    elif required and not page and not url:
        message = _("Choose a page or enter a URL for the button.")
    else:
        return
    raise StructBlockValidationError(
        block_errors={"page": ValidationError(message), "url": ValidationError(message)}
    )


def as_date(value):
    if value is None or isinstance(value, datetime.date):
        return value
    return parse_date(str(value))


class HeadingBlock(blocks.StructBlock):
    """A section heading that can be linked to with #anchor."""

    text = blocks.CharBlock(label=_("Heading"), max_length=120)
    level = blocks.ChoiceBlock(
        label=_("Level"),
        choices=[("h2", _("Section heading (h2)")), ("h3", _("Subsection heading (h3)"))],
        default="h2",
        help_text=_("Use h3 only under an h2, so the outline of the page stays in order."),
    )
    anchor = blocks.CharBlock(
        label=_("Anchor"),
        required=False,
        max_length=80,
        validators=[anchor_validator],
        help_text=_(
            "Optional. Lets other pages link straight to this heading, as page-url#anchor."
        ),
    )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["tag"] = value.get("level") if value.get("level") in ("h2", "h3") else "h2"
        return context

    class Meta:
        icon = "title"
        label = _("Heading")
        description = _("A section heading that breaks a page into parts.")
        template = "blocks/heading.html"
        preview_value = {"text": "주민참여예산 신청 안내", "level": "h2", "anchor": "apply"}


class RichTextBlock(blocks.RichTextBlock):
    """Formatted text with headings, lists and links."""

    def __init__(self, features=None, **kwargs):
        super().__init__(features=features or PARAGRAPH_FEATURES, **kwargs)

    class Meta:
        icon = "pilcrow"
        label = _("Paragraph")
        description = _("Formatted text: paragraphs, subheadings, lists and links.")
        template = "blocks/rich_text.html"
        preview_value = (
            "<h2>제안은 이렇게 처리됩니다</h2>"
            "<p>시민 누구나 정책을 <b>제안</b>할 수 있습니다. 30일 동안 100명의 공감을 받은 "
            "제안은 위원회 심의를 거쳐 공개적으로 답변합니다.</p>"
            "<ul><li>제안 등록</li><li>공감 모으기</li><li>위원회 심의와 답변</li></ul>"
        )


class ImageBlock(blocks.StructBlock):
    """A single image with its text alternative, caption and credit."""

    image = ImageChooserBlock(label=_("Image"))
    alt_text = blocks.CharBlock(
        label=_("Alternative text"),
        max_length=200,
        help_text=_(
            "Describe what the image shows for people who cannot see it, as you would over "
            "the phone, e.g. 'Residents voting on projects at the community centre'. "
            "Do not start with 'Image of'."
        ),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=250)
    attribution = blocks.CharBlock(
        label=_("Credit"),
        required=False,
        max_length=120,
        help_text=_("Who took or owns the image, e.g. 'Gyeongsangnam-do'."),
    )

    def get_preview_value(self):
        """Show the newest image in the library in the block picker, when there is one."""
        value = super().get_preview_value()
        value["image"] = get_image_model().objects.order_by("-created_at").first()
        return value

    class Meta:
        icon = "image"
        label = _("Image")
        description = _("An image with alternative text, an optional caption and credit.")
        template = "blocks/image.html"
        preview_value = {
            "image": None,
            "alt_text": "주민들이 마을회관에서 참여예산 사업에 투표하는 모습",
            "caption": "2025년 주민참여예산 주민총회",
            "attribution": "경상남도",
        }


class CallToActionBlock(blocks.StructBlock):
    """A short invitation with one button to a page or an outside address."""

    title = blocks.CharBlock(label=_("Title"), max_length=120)
    text = blocks.TextBlock(label=_("Text"), required=False, max_length=400)
    button_label = blocks.CharBlock(
        label=_("Button label"),
        max_length=40,
        help_text=_("Say where the button goes, e.g. 'Make a proposal', not 'Click here'."),
    )
    page = blocks.PageChooserBlock(
        label=_("Page"),
        required=False,
        help_text=_("Where the button goes: choose a page of this site, or enter a URL below."),
    )
    url = blocks.URLBlock(
        label=_("URL"),
        required=False,
        help_text=_("An outside address, when the button does not go to a page of this site."),
    )

    def clean(self, value):
        value = super().clean(value)
        validate_one_link(value, required=not self.is_deferred_validation)
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["href"] = link_href(value, parent_context)
        return context

    class Meta:
        icon = "pick"
        label = _("Call to action")
        description = _("A short invitation with a button, e.g. to make a proposal.")
        template = "blocks/call_to_action.html"
        preview_value = {
            "title": "우리 동네에 필요한 정책을 제안해 주세요",
            "text": "100명의 공감을 받은 제안은 위원회가 심의하고 공개적으로 답변합니다.",
            "button_label": "정책 제안하기",
            "url": "https://www.gyeongnam.go.kr/",
        }


class CardBlock(blocks.StructBlock):
    """One card: a title, a line of text, an optional image and link."""

    title = blocks.CharBlock(label=_("Title"), max_length=100)
    text = blocks.TextBlock(label=_("Text"), required=False, max_length=300)
    image = ImageChooserBlock(
        label=_("Image"),
        required=False,
        help_text=_("Shown as decoration; put anything important in the title or text."),
    )
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    url = blocks.URLBlock(
        label=_("URL"),
        required=False,
        help_text=_("Link the card to a page or an outside address (not both), or neither."),
    )

    def clean(self, value):
        value = super().clean(value)
        validate_one_link(value, required=False)
        return value

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        context["href"] = link_href(value, parent_context)
        return context

    class Meta:
        icon = "doc-empty"
        label = _("Card")
        template = "blocks/card.html"


class CardGridBlock(blocks.StructBlock):
    """Cards in a grid: one column on phones, two or three on wider screens."""

    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    cards = blocks.ListBlock(CardBlock(), label=_("Cards"), min_num=1)

    class Meta:
        icon = "table"
        label = _("Cards")
        description = _("A grid of cards linking to pages, e.g. the ways to take part.")
        template = "blocks/card_grid.html"
        preview_value = {
            "heading": "참여 방법",
            "cards": [
                {"title": "시민 제안", "text": "생활 속 불편과 좋은 생각을 정책으로 제안하세요."},
                {"title": "주민참여예산", "text": "우리 동네 예산을 어디에 쓸지 함께 정합니다."},
                {"title": "온라인 투표", "text": "주요 정책에 대한 주민의 뜻을 묻습니다."},
            ],
        }


class FAQItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=200)
    answer = blocks.RichTextBlock(label=_("Answer"), features=ANSWER_FEATURES)

    class Meta:
        icon = "help"
        label = _("Question")


class FAQBlock(blocks.StructBlock):
    """Questions that open to show their answers, without JavaScript."""

    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    items = blocks.ListBlock(FAQItemBlock(), label=_("Questions"), min_num=1)

    class Meta:
        icon = "help"
        label = _("Frequently asked questions")
        description = _("Questions that open to show their answers.")
        template = "blocks/faq.html"
        preview_value = {
            "heading": "자주 묻는 질문",
            "items": [
                {
                    "question": "누가 제안할 수 있나요?",
                    "answer": "<p>도내에 살거나 일하거나 공부하는 시민이면 누구나 제안할 수 "
                    "있습니다.</p>",
                },
                {
                    "question": "공감은 몇 명이 필요한가요?",
                    "answer": "<p>30일 안에 <b>100명</b>의 공감을 받으면 위원회 심의로 "
                    "넘어갑니다.</p>",
                },
            ],
        }


class PhaseBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), max_length=100)
    start_date = blocks.DateBlock(label=_("Start date"))
    end_date = blocks.DateBlock(
        label=_("End date"),
        required=False,
        help_text=_("Leave empty when the phase lasts until the next one starts."),
    )
    description = blocks.TextBlock(label=_("Description"), required=False, max_length=400)

    def clean(self, value):
        value = super().clean(value)
        start, end = value.get("start_date"), value.get("end_date")
        if start and end and end < start:
            raise StructBlockValidationError(
                block_errors={
                    "end_date": ValidationError(
                        _("The end date must not be before the start date.")
                    )
                }
            )
        return value

    class Meta:
        icon = "date"
        label = _("Phase")


def _phases_preview():
    today = localdate()
    day = datetime.timedelta(days=1)
    return {
        "heading": "2026년 주민참여예산 일정",
        "phases": [
            {
                "title": "사업 제안 접수",
                "start_date": today - 40 * day,
                "end_date": today - 11 * day,
                "description": "주민 누구나 필요한 사업을 제안합니다.",
            },
            {
                "title": "주민 투표",
                "start_date": today - 10 * day,
                "end_date": today + 10 * day,
                "description": "검토를 통과한 사업에 투표합니다.",
            },
            {
                "title": "결과 발표",
                "start_date": today + 20 * day,
                "end_date": None,
                "description": "",
            },
        ],
    }


class TimelineBlock(blocks.StructBlock):
    """The dated phases of a process, with the current one marked."""

    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    phases = blocks.ListBlock(PhaseBlock(), label=_("Phases"), min_num=1)

    @staticmethod
    def phase_statuses(phases, today):
        """'finished', 'current' or 'upcoming' for each phase, in the given order.

        A phase without an end date runs until a phase that starts after it has started.
        """
        starts = [as_date(phase.get("start_date")) for phase in phases]
        statuses = []
        for phase, start in zip(phases, starts, strict=True):
            end = as_date(phase.get("end_date"))
            if start is None or start > today:
                statuses.append("upcoming")
            elif end is not None:
                statuses.append("current" if today <= end else "finished")
            elif any(other and start < other <= today for other in starts):
                statuses.append("finished")
            else:
                statuses.append("current")
        return statuses

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        phases = list(value.get("phases") or [])
        statuses = self.phase_statuses(phases, localdate())
        rows = [
            {
                "value": phase,
                "status": status,
                "start_date": as_date(phase.get("start_date")),
                "end_date": as_date(phase.get("end_date")),
            }
            for phase, status in zip(phases, statuses, strict=True)
        ]
        rows.sort(key=lambda row: row["start_date"] or datetime.date.max)
        context["phases"] = rows
        return context

    class Meta:
        icon = "time"
        label = _("Process timeline")
        description = _("The dated phases of a process, with the current phase highlighted.")
        template = "blocks/timeline.html"
        preview_value = staticmethod(_phases_preview)


class StatisticItemBlock(blocks.StructBlock):
    live = blocks.ChoiceBlock(
        label=_("Live figure"),
        choices=live_figures.FIGURES,
        required=False,
        help_text=_(
            "Counted from the site and updated every minute; the typed figure is then ignored."
        ),
    )
    value = blocks.CharBlock(
        label=_("Figure"),
        max_length=20,
        required=False,
        help_text=_("As it should read, e.g. '12,345' or '87%'."),
    )
    label = blocks.CharBlock(label=_("Label"), max_length=80)
    description = blocks.CharBlock(label=_("Description"), required=False, max_length=160)

    def clean(self, value):
        value = super().clean(value)
        if not value.get("live") and not value.get("value"):
            raise StructBlockValidationError(
                {"value": ValidationError(_("Type a figure or choose a live one."))}
            )
        return value

    class Meta:
        icon = "order"
        label = _("Figure")


class StatisticsBlock(blocks.StructBlock):
    """Key figures, such as how many citizens took part."""

    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    items = blocks.ListBlock(StatisticItemBlock(), label=_("Figures"), min_num=1)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        request = (parent_context or {}).get("request")
        needs_live = any(item.get("live") for item in value["items"])
        site = Site.find_for_request(request) if request is not None and needs_live else None
        live = live_figures.figures(site) if site else {}
        context["figures"] = [
            {
                "label": item["label"],
                "value": f"{live[item['live']]:,}" if item.get("live") in live else item["value"],
                "description": item["description"],
            }
            for item in value["items"]
        ]
        return context

    class Meta:
        icon = "order"
        label = _("Key figures")
        description = _("Key figures with labels, e.g. how many citizens took part.")
        template = "blocks/statistics.html"
        preview_value = {
            "heading": "숫자로 보는 시민 참여",
            "items": [
                {"value": "12,345", "label": "참여 시민", "description": "2025년 누적"},
                {"value": "318", "label": "시민 제안", "description": ""},
                {"value": "42억 원", "label": "주민참여예산", "description": "2026년 편성"},
            ],
        }


_IFRAME_TAG = re.compile(r"<iframe\b[^>]*>", re.IGNORECASE)
_TITLE_ATTR = re.compile(r"""\s+title\s*=\s*("[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)


def with_frame_title(html, title):
    """Give every iframe in third-party embed HTML the editor's title and lazy loading."""

    def retitle(match):
        tag = _TITLE_ATTR.sub("", match.group(0))
        extra = format_html(' title="{}"', title)
        if "loading=" not in tag.lower():
            extra += ' loading="lazy"'
        return tag[: len("<iframe")] + extra + tag[len("<iframe") :]

    return _IFRAME_TAG.sub(retitle, html)


class EmbedBlock(blocks.StructBlock):
    """A video or other media from a provider such as YouTube, with an accessible title."""

    url = WagtailEmbedBlock(
        label=_("Media address"),
        help_text=_("The address of a video or post, e.g. a YouTube link."),
    )
    title = blocks.CharBlock(
        label=_("Title"),
        max_length=150,
        help_text=_(
            "What the media is, e.g. '2026 participatory budget briefing (video)'. Screen "
            "readers announce it, and it is the link text if the media cannot be shown."
        ),
    )
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=250)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        embed_value = value.get("url")
        context["embed_url"] = getattr(embed_value, "url", None) or None
        context["embed_html"] = ""
        context["is_video"] = False
        if context["embed_url"]:
            try:
                embed = embeds.get_embed(
                    embed_value.url, embed_value.max_width, embed_value.max_height
                )
            except EmbedException as error:
                logger.info("No embed for %s: %r", embed_value.url, error)
            except Exception:
                # A provider that is down or answers nonsense must not take the page with it.
                logger.warning("Embed failed for %s", embed_value.url, exc_info=True)
            else:
                if embed.html:
                    # The HTML comes from the providers Wagtail's embed finders trust.
                    context["embed_html"] = mark_safe(  # noqa: S308
                        with_frame_title(embed.html, value.get("title") or "")
                    )
                    context["is_video"] = embed.type == "video" or "<iframe" in embed.html
        return context

    class Meta:
        icon = "media"
        label = _("Video or media")
        description = _("A video or other media from a provider such as YouTube.")
        template = "blocks/embed.html"
        preview_value = {
            "url": "https://www.youtube.com/watch?v=jNQXAC9IVRw",
            "title": "2026년 주민참여예산 설명회 영상",
            "caption": "주민참여예산 제도와 신청 방법을 안내합니다.",
        }


class ContactBlock(blocks.StructBlock):
    """Who to ask: the department, a person and how to reach them."""

    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=120)
    department = blocks.CharBlock(label=_("Department"), required=False, max_length=120)
    person = blocks.CharBlock(
        label=_("Person"),
        required=False,
        max_length=80,
        help_text=_("A role or a staff member's name, e.g. 'Participatory budget officer'."),
    )
    phone = blocks.CharBlock(
        label=_("Phone"), required=False, max_length=30, validators=[phone_validator]
    )
    email = blocks.EmailBlock(label=_("Email"), required=False)
    address = blocks.TextBlock(label=_("Address"), required=False, max_length=300)
    hours = blocks.TextBlock(
        label=_("Opening hours"),
        required=False,
        max_length=300,
        help_text=_("e.g. 'Weekdays 09:00-18:00 (closed 12:00-13:00)'."),
    )

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        phone = (value.get("phone") or "").strip()
        context["tel_href"] = (
            "tel:" + ("+" if phone.startswith("+") else "") + re.sub(r"\D", "", phone)
            if phone
            else ""
        )
        return context

    class Meta:
        icon = "mail"
        label = _("Contact")
        description = _("A department's or person's contact details.")
        template = "blocks/contact.html"
        preview_value = {
            "heading": "문의",
            "department": "경상남도 소통협력담당관",
            "person": "주민참여예산 담당자",
            "phone": "055-211-2114",
            "email": "budget@example.go.kr",
            "address": "경상남도 창원시 의창구 중앙대로 300\n경상남도청 본관 3층",
            "hours": "평일 09:00~18:00 (점심시간 12:00~13:00 제외)",
        }


CONTENT_BLOCKS = [
    ("heading", HeadingBlock()),
    ("paragraph", RichTextBlock()),
    ("image", ImageBlock()),
    ("call_to_action", CallToActionBlock()),
    ("cards", CardGridBlock()),
    ("faq", FAQBlock()),
    ("timeline", TimelineBlock()),
    ("statistics", StatisticsBlock()),
    ("embed", EmbedBlock()),
    ("contact", ContactBlock()),
]
