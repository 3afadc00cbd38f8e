"""Anonymous pages from the shared cache, for a few seconds (DESIGN.md: "What anonymous
visitors read can be cached; what a person does shows at once").

A GET is served from the cache only when it comes from someone with no session and no
pending messages: a signed-in citizen always gets a fresh page, so their own support, vote or
comment shows at once, and nobody's page is ever stored (responses that set a cookie, carry
`Cache-Control: private/no-cache/no-store`, or are not a plain 200 are never stored).
Entries carry the time they were made and are not served past `ANONYMOUS_PAGE_CACHE_SECONDS`,
so a count shown from the cache is at most that old. Publishing, unpublishing, moving or
deleting a page, or editing a municipality's settings, starts a new generation: every cached
page and menu is dropped at once, so staff edits appear on publish.

Responses to anonymous visitors without cookies also lose `Vary: Cookie` (Django adds it
whenever the session or the language cookie is read): they are the same for every visitor
without a session, so a proxy may keep them too, provided it passes requests that carry the
session cookie (see docs/architecture.md).
"""

import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.utils.cache import patch_vary_headers

from cms.site_settings import request_memo

GENERATION_KEY = "pages:generation"
BYPASS_PREFIXES = (
    "/admin/",
    "/django-admin/",
    "/django-rq/",
    "/accounts/",
    "/healthz",
    "/bench/",
    "/language/",
)
# Cookies that make a response personal (the messages cookie: a message waits to be shown).
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, "messages")


def generation():
    """The current generation of public content; part of every page, menu, Site and settings
    key. Only ever compared for equality.

    Read once per request (kept in the request's memo), so the page cache, the Site, the
    menu and the settings of one request agree on it.
    """
    memo = request_memo()
    if memo is not None and GENERATION_KEY in memo:
        return memo[GENERATION_KEY]
    value = cache.get(GENERATION_KEY)
    if value is None:
        # A random start: after Redis loses the key, no old number comes back (a process
        # may still hold settings kept under it).
        cache.add(GENERATION_KEY, secrets.randbits(62), timeout=None)
        value = cache.get(GENERATION_KEY)
    if memo is not None:
        memo[GENERATION_KEY] = value
    return value


def new_generation(**_kwargs):
    """Forget every cached page, menu, Site and settings row (a page was published, moved,
    deleted, a municipality's settings changed...)."""
    try:
        value = cache.incr(GENERATION_KEY)
    except ValueError:  # the cache lost it (or never had it): start again anywhere
        cache.add(GENERATION_KEY, secrets.randbits(62), timeout=None)
        value = cache.incr(GENERATION_KEY)
    memo = request_memo()
    if memo is not None:
        memo[GENERATION_KEY] = value


def _has_personal_cookie(request):
    return any(name in request.COOKIES for name in PERSONAL_COOKIES)


def _cacheable_request(request):
    return (
        settings.ANONYMOUS_PAGE_CACHE_SECONDS > 0
        and request.method == "GET"
        and not request.path.startswith(BYPASS_PREFIXES)
        and not _has_personal_cookie(request)
    )


def _key(request):
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) or settings.LANGUAGE_CODE
    htmx = request.headers.get("HX-Request", "") + request.headers.get("HX-Target", "")
    return f"pages:{generation()}:{request.get_host()}:{language}:{htmx}:{request.get_full_path()}"


def _storable(request, response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return False
    control = response.headers.get("Cache-Control", "")
    return not any(word in control for word in ("private", "no-cache", "no-store"))


def _anonymous_vary(request, response):
    """Drop `Vary: Cookie` where the visitor sent no cookie the page depends on."""
    if response.cookies or any(
        name in request.COOKIES for name in (*PERSONAL_COOKIES, settings.LANGUAGE_COOKIE_NAME)
    ):
        return
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        return
    vary = [v.strip() for v in response.headers.get("Vary", "").split(",") if v.strip()]
    kept = [v for v in vary if v.lower() != "cookie"]
    if len(kept) != len(vary):
        del response.headers["Vary"]
        if kept:
            patch_vary_headers(response, kept)


class AnonymousPageCacheMiddleware:
    """Serves anonymous GETs of public pages from the cache; place it before SessionMiddleware.

    Past half its life an entry is renewed by one request (the first to take a short lock)
    while the others keep getting the copy, so the workers do not all render the same page
    at the moment it expires.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    @staticmethod
    def _serve(key, age, limit):
        if age >= limit:
            return False
        if age < limit / 2:
            return True
        return not cache.add(f"{key}:renewing", 1, timeout=max(1, limit // 2))

    def __call__(self, request):
        if not _cacheable_request(request):
            response = self.get_response(request)
            if request.method in ("GET", "HEAD"):
                _anonymous_vary(request, response)
            return response
        key = _key(request)
        limit = settings.ANONYMOUS_PAGE_CACHE_SECONDS
        entry = cache.get(key)
        if entry is not None and self._serve(key, time.time() - entry[0], limit):
            _made, content, headers = entry
            from django.http import HttpResponse

            response = HttpResponse(content)
            for name, value in headers:
                response.headers[name] = value
            response.headers["X-Page-Cache"] = "hit"
            return response
        response = self.get_response(request)
        _anonymous_vary(request, response)
        if _storable(request, response):
            if hasattr(response, "render") and not response.is_rendered:
                response.render()
            headers = [(k, v) for k, v in response.headers.items() if k.lower() != "x-page-cache"]
            cache.set(key, (time.time(), response.content, headers), timeout=limit)
            response.headers["X-Page-Cache"] = "miss"
        return response


def _page_deleted(sender, instance, **_kwargs):
    from wagtail.models import Page

    if isinstance(instance, Page):
        new_generation()


def connect_signals():
    from django.apps import apps
    from django.db.models.signals import post_delete, post_save
    from wagtail.images import get_image_model
    from wagtail.models import PageViewRestriction, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from cms import site_settings

    uid = "cms.page_cache"
    page_published.connect(new_generation, dispatch_uid=f"{uid}.published")
    page_unpublished.connect(new_generation, dispatch_uid=f"{uid}.unpublished")
    post_page_move.connect(new_generation, dispatch_uid=f"{uid}.moved")
    post_delete.connect(_page_deleted, dispatch_uid=f"{uid}.deleted")
    settings_models = [
        model for model in apps.get_models() if issubclass(model, site_settings.CachedSiteSetting)
    ]
    # Images: a municipality's logo is kept with its settings (cms.site_settings).
    for model in (Site, PageViewRestriction, get_image_model()):
        post_save.connect(new_generation, sender=model, dispatch_uid=f"{uid}.{model.__name__}")
        post_delete.connect(
            new_generation, sender=model, dispatch_uid=f"{uid}.{model.__name__}.deleted"
        )
    for model in settings_models:
        name = model._meta.label
        post_save.connect(_settings_saved, sender=model, dispatch_uid=f"{uid}.{name}")
        post_delete.connect(_settings_saved, sender=model, dispatch_uid=f"{uid}.{name}.deleted")


def _settings_saved(sender, instance, created=False, **_kwargs):
    """A settings row changed. One made with its defaults the first time a page asked for it
    changes nothing anyone has seen, so it keeps the generation (and the cached pages)."""
    from cms import site_settings

    site_settings.forget(sender, instance)
    if not created:
        new_generation()


class CachedSiteMiddleware:
    """Finds the request's Wagtail Site from the cache instead of a query per request.

    Wagtail keeps the Site it finds on the request (`request._wagtail_site`) but looks it up
    again on every request; the answer changes only when Sites do (a new generation).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from wagtail.models import Site

        try:
            key = f"site:{generation()}:{request.get_host()}:{request.get_port()}"
        except Exception:  # DisallowedHost: let Django answer as it would
            return self.get_response(request)
        site = cache.get(key)
        if site is None:
            try:
                site = Site._find_for_request(request)
            except DatabaseError:  # /healthz and the error page answer without it
                return self.get_response(request)
            if site is not None:
                cache.set(key, site, 3600)
        request._wagtail_site = site
        return self.get_response(request)
