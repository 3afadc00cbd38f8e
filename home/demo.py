"""The demo's municipalities: a province and one of its cities, with pages made of blocks.

Every function here is idempotent, so `seed_demo` can run any number of times.
"""

import datetime
import io
import os

from django.contrib.auth.models import Group
from django.core.files.images import ImageFile
from django.utils import timezone
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from cms.models import MunicipalitySettings, User
from home.models import ContentPage, HomePage

DEMO_DOMAIN = os.environ.get("DEMO_DOMAIN", "localhost")
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - the demo publishes it in the README

MUNICIPALITIES = [
    {
        "slug": "gyeongnam",
        "name_ko": "경상남도",
        "name_en": "Gyeongsangnam-do",
        "kind": MunicipalitySettings.Kind.PROVINCE,
        "colour": "#0b50d0",
        "phone": "055-211-2114",
        "email": "participation@gyeongnam.example.kr",
        "address": "경상남도 창원시 의창구 중앙대로 300 (사림동)",
        "title": "경남 도민참여 플랫폼",
        "intro": "도민이 제안하고, 함께 토론하고, 예산을 정하는 곳입니다.",
        "default": True,
    },
    {
        "slug": "changwon",
        "name_ko": "창원특례시",
        "name_en": "Changwon Special City",
        "kind": MunicipalitySettings.Kind.CITY,
        "colour": "#00695c",
        "phone": "055-225-2114",
        "email": "participation@changwon.example.kr",
        "address": "경상남도 창원시 의창구 중앙대로 151",
        "title": "창원시민 참여마당",
        "intro": "창원의 내일을 시민 여러분과 함께 만듭니다.",
        "default": False,
    },
]

# (email, display name, staff, superuser, groups)
PEOPLE = [
    ("admin@example.com", "관리자", True, True, []),
    ("staff.gyeongnam@example.com", "경남 담당자", True, False, ["경상남도 편집자"]),
    ("staff.changwon@example.com", "창원 담당자", True, False, ["창원특례시 편집자"]),
    ("citizen1@example.com", "김민지", False, False, []),
    ("citizen2@example.com", "이준호", False, False, []),
    ("citizen3@example.com", "박서연", False, False, []),
]


def logo_for(name, colour):
    """A simple generated logo (a coloured emblem), made here so the demo ships no image files."""
    image_model = get_image_model()
    title = f"{name} 로고"
    existing = image_model.objects.filter(title=title).first()
    if existing:
        return existing
    canvas = PILImage.new("RGB", (96, 96), "white")
    draw = ImageDraw.Draw(canvas)
    draw.ellipse((8, 8, 88, 88), fill=colour)
    draw.ellipse((30, 30, 66, 66), fill="white")
    buffer = io.BytesIO()
    canvas.save(buffer, format="PNG")
    return image_model.objects.create(
        title=title, file=ImageFile(buffer, name=f"logo-{abs(hash(name)) % 10000}.png")
    )


def home_body(config):
    today = timezone.localdate()
    return [
        {
            "type": "statistics",
            "value": {
                "heading": "참여 현황",
                "items": [
                    {"live": "participants", "value": "", "label": "참여 시민", "description": ""},
                    {"live": "proposals", "value": "", "label": "시민 제안", "description": ""},
                    {"live": "supports", "value": "", "label": "공감", "description": ""},
                    {"live": "answers", "value": "", "label": "위원회 답변", "description": ""},
                    {
                        "live": "",
                        "value": "52억 원",
                        "label": "주민참여예산",
                        "description": "2026년",
                    },
                ],
            },
        },
        {
            "type": "timeline",
            "value": {
                "heading": "2026 주민참여예산 일정",
                "phases": [
                    {
                        "title": "사업 제안",
                        "start_date": today - datetime.timedelta(days=60),
                        "end_date": today - datetime.timedelta(days=31),
                        "description": "시민 누구나 사업을 제안합니다.",
                    },
                    {
                        "title": "타당성 검토",
                        "start_date": today - datetime.timedelta(days=30),
                        "end_date": today + datetime.timedelta(days=10),
                        "description": "담당 부서가 실현 가능성과 비용을 검토합니다.",
                    },
                    {
                        "title": "주민 투표",
                        "start_date": today + datetime.timedelta(days=11),
                        "end_date": today + datetime.timedelta(days=40),
                        "description": "",
                    },
                ],
            },
        },
        {
            "type": "call_to_action",
            "value": {
                "title": "정책을 제안해 주세요",
                "text": "100명이 공감한 제안은 위원회가 심의하고 공개 답변합니다.",
                "button_label": "참여 방법 보기",
                "page": None,
                "url": f"http://{config['slug']}.{DEMO_DOMAIN}:8000/about/",
            },
        },
        {
            "type": "faq",
            "value": {
                "heading": "자주 묻는 질문",
                "items": [
                    {
                        "question": "누가 참여할 수 있나요?",
                        "answer": "<p>이메일 인증을 마친 누구나 토론과 공감에 참여할 수 있습니다.</p>",
                    },
                    {
                        "question": "제안은 어떻게 처리되나요?",
                        "answer": "<p>검토 후 공개되고, 30일 안에 100명의 공감을 받으면 위원회가 심의합니다.</p>",
                    },
                ],
            },
        },
        {
            "type": "contact",
            "value": {
                "heading": "문의",
                "department": "시민소통과",
                "person": "",
                "phone": config["phone"],
                "email": config["email"],
                "address": config["address"],
                "hours": "평일 09:00–18:00",
            },
        },
    ]


ABOUT_BODY = [
    {"type": "heading", "value": {"text": "참여 플랫폼 소개", "level": "h2", "anchor": "about"}},
    {
        "type": "paragraph",
        "value": "<p>시민이 정책을 제안하고, 공감과 토론을 거쳐 위원회가 심의합니다. "
        "채택된 제안은 실행될 때까지 진행 상황을 공개합니다.</p>",
    },
    {
        "type": "cards",
        "value": {
            "heading": "참여하는 네 가지 방법",
            "cards": [
                {
                    "title": "토론",
                    "text": "지역 현안에 찬반 의견을 나눕니다.",
                    "image": None,
                    "page": None,
                    "url": "",
                },
                {
                    "title": "시민 제안",
                    "text": "정책을 제안하고 공감을 모읍니다.",
                    "image": None,
                    "page": None,
                    "url": "",
                },
                {
                    "title": "주민참여예산",
                    "text": "예산 일부의 쓰임을 직접 정합니다.",
                    "image": None,
                    "page": None,
                    "url": "",
                },
                {
                    "title": "투표",
                    "text": "주요 현안에 한 표를 행사합니다.",
                    "image": None,
                    "page": None,
                    "url": "",
                },
            ],
        },
    },
]

PRIVACY_BODY = [
    {
        "type": "paragraph",
        "value": "<h2>1. 처리하는 개인정보와 목적</h2>"
        "<p>이 플랫폼은 참여에 필요한 최소한의 개인정보(이메일, 표시 이름, 언어)만 수집합니다. "
        "회원 관리, 토론·제안·예산·투표 참여, 알림 발송을 위해서만 이용합니다. "
        "다른 참여자에게는 표시 이름만 보입니다.</p>"
        "<h2>2. 보유 기간</h2>"
        "<p>회원 탈퇴 시까지 보유합니다. 탈퇴하면 이메일과 이름은 바로 삭제되고, "
        "작성한 글은 '탈퇴한 계정'으로 남습니다.</p>"
        "<h2>3. 정보주체의 권리</h2>"
        "<p>내 계정의 '내 정보' 화면에서 보관된 정보를 확인하고 내려받을 수 있으며, "
        "언제든 탈퇴할 수 있습니다. 투표의 선택 내용은 비밀이며 본인과 연결되지 않습니다.</p>",
    },
]

TERMS_BODY = [
    {
        "type": "paragraph",
        "value": "<h2>이용약관</h2>"
        "<p>이 플랫폼에서는 누구나 토론과 제안을 읽을 수 있고, 회원은 의견을 쓰고 제안하고 "
        "공감하고 투표할 수 있습니다. 다른 사람을 비방하거나 개인정보를 드러내는 글, "
        "광고와 같은 글은 운영 원칙에 따라 숨겨질 수 있습니다.</p>",
    },
]


def ensure_site(config, port):
    root = Page.get_first_root_node()
    home = HomePage.objects.filter(slug=config["slug"]).first()
    if home is None:
        home = HomePage(title=config["title"], slug=config["slug"], intro=config["intro"])
        root.add_child(instance=home)
    home.title = config["title"]
    home.intro = config["intro"]
    home.body = home_body(config)
    home.save_revision().publish()

    hostname = f"{config['slug']}.{DEMO_DOMAIN}"
    site = Site.objects.filter(hostname=hostname).order_by("pk").first() or Site(hostname=hostname)
    for field, value in {
        "port": port,
        "root_page": home,
        "site_name": config["name_ko"],
        "is_default_site": config["default"],
    }.items():
        setattr(site, field, value)
    site.save()
    settings = MunicipalitySettings.for_site(site)
    settings.name_ko = config["name_ko"]
    settings.name_en = config["name_en"]
    settings.kind = config["kind"]
    settings.primary_colour = config["colour"]
    settings.contact_phone = config["phone"]
    settings.contact_email = config["email"]
    settings.contact_address = config["address"]
    settings.footer_text = f"© {config['name_ko']}. 이 사이트는 시민참여 플랫폼의 시연용입니다."
    settings.logo = logo_for(config["name_ko"], config["colour"])
    settings.save()

    for slug, title, body, intro in [
        ("about", "참여 방법", ABOUT_BODY, "플랫폼에서 참여하는 방법을 안내합니다."),
        ("privacy", "개인정보 처리방침", PRIVACY_BODY, ""),
        ("terms", "이용약관", TERMS_BODY, ""),
    ]:
        page = ContentPage.objects.child_of(home).filter(slug=slug).first()
        if page is None:
            page = ContentPage(title=title, slug=slug)
            home.add_child(instance=page)
        page.title, page.intro, page.body, page.show_in_menus = title, intro, body, slug == "about"
        page.save_revision().publish()
        if slug in ("privacy", "terms"):
            setattr(settings, f"{slug}_page", page)
    settings.save()
    return site


def ensure_people(sites):
    for site in sites.values():
        name = MunicipalitySettings.for_site(site).name_ko
        group, _ = Group.objects.get_or_create(name=f"{name} 편집자")
        from django.contrib.auth.models import Permission
        from wagtail.models import GroupPagePermission

        group.permissions.add(Permission.objects.get(codename="access_admin"))
        for permission in ("add_page", "change_page", "publish_page"):
            GroupPagePermission.objects.get_or_create(
                group=group,
                page=site.root_page,
                permission=Permission.objects.get(
                    content_type__app_label="wagtailcore", codename=permission
                ),
            )
    from allauth.account.models import EmailAddress

    for email, display_name, staff, superuser, groups in PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email)
        user.display_name = display_name
        user.is_staff = staff
        user.is_superuser = superuser
        user.is_active = True
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set(Group.objects.filter(name__in=groups))
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )


def ensure_tree_roots():
    """The locale, root page and root collection Wagtail's migrations make, if a flush removed them."""
    from django.conf import settings
    from wagtail.coreutils import get_supported_content_language_variant
    from wagtail.models import Collection, Locale

    Locale.objects.get_or_create(
        language_code=get_supported_content_language_variant(settings.LANGUAGE_CODE)
    )
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root", live=True))
    if Collection.get_first_root_node() is None:
        Collection.add_root(name="Root")


def seed(port=8000):
    """Build the demo's municipalities and people; return the sites by slug.

    The sites are registered on `port`, the one the demo serves on, so the addresses in
    mails (built from each Site) open where the demo runs.
    """
    ensure_tree_roots()
    sites = {config["slug"]: ensure_site(config, port) for config in MUNICIPALITIES}
    province = sites["gyeongnam"]
    for site in sites.values():
        settings = MunicipalitySettings.for_site(site)
        settings.parent_province = None if site == province else province
        settings.save()
    # Wagtail's installer leaves a placeholder site and page; the demo replaces them.
    Site.objects.filter(hostname="localhost", port=80).exclude(
        root_page__in=[s.root_page for s in sites.values()]
    ).delete()
    Page.objects.filter(depth=2, slug="home", content_type__model="page").delete()
    ensure_people(sites)
    return sites
