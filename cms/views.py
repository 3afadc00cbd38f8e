import io
import sys
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.defaults import server_error as default_server_error
from django.views.i18n import set_language as django_set_language
from PIL import Image as PILImage
from PIL import ImageDraw, ImageOps
from wagtail.models import Site

from cms import personal_data
from cms.csrf import csrf_when_signed_in
from cms.forms import DeleteAccountForm, ProfileForm
from cms.middleware import DATABASE_UNAVAILABLE, database_unavailable_response
from cms.models import MunicipalitySettings


def superusers_only(view):
    """Sign in first; then superusers only (403 for everyone else, staff included)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not request.user.is_superuser:
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@never_cache
def bench_plain(request):
    """A trivial view: what the stack costs before any page does work (settings.BENCH_PLAIN_VIEW)."""
    return HttpResponse("ok", content_type="text/plain")


def server_error(request):
    """handler500: the database's 503 page when the database went away, else the 500 page.

    A lost connection met outside a view (a middleware reading the session or the user)
    comes here rather than through DatabaseUnavailableMiddleware.
    """
    if isinstance(sys.exc_info()[1], DATABASE_UNAVAILABLE):
        return database_unavailable_response(request)
    return default_server_error(request)


def healthz(request):
    """200 when the database (and Redis, if configured) answer; 503 otherwise."""
    checks = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        checks["database"] = "ok"
    except Exception as error:
        checks["database"] = f"error: {error.__class__.__name__}"
    if settings.REDIS_URL:
        try:
            from cms.jobs import get_queue

            get_queue().connection.ping()
            checks["redis"] = "ok"
        except Exception as error:
            checks["redis"] = f"error: {error.__class__.__name__}"
    else:
        checks["redis"] = "not configured"
    healthy = all(value in {"ok", "not configured"} for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


@csrf_when_signed_in
@require_POST
def set_language(request):
    """Django's language switch, also saved on a signed-in citizen's account (cms/csrf.py:
    anonymous pages carry no CSRF token)."""
    language = request.POST.get("language")
    if language in dict(settings.LANGUAGES) and request.user.is_authenticated:
        request.user.language = language
        request.user.save(update_fields=["language"])
    return django_set_language(request)


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        translation.activate(user.language)
        messages.success(request, _("Your account was saved."))
        response = redirect("account_profile")
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            user.language,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            secure=settings.LANGUAGE_COOKIE_SECURE,
        )
        return response
    return render(
        request, "account/profile.html", {"form": form}, status=400 if form.errors else 200
    )


@login_required
@never_cache
def my_data(request):
    """What the platform holds about the signed-in person, part by part, from every app."""
    return render(request, "account/my_data.html", {"parts": personal_data.collect(request.user)})


@login_required
@never_cache
def my_data_download(request):
    """The same, as a ZIP of one JSON file and a CSV per part."""
    response = HttpResponse(personal_data.as_zip(request.user), content_type="application/zip")
    response["Content-Disposition"] = 'attachment; filename="my-data.zip"'
    return response


@login_required
def delete_account(request):
    form = DeleteAccountForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        user = request.user
        logout(request)
        user.anonymise()
        messages.success(
            request, _("Your account was deleted. What you wrote stays, without your name.")
        )
        return redirect("/")
    return render(
        request, "account/delete.html", {"form": form}, status=400 if form.errors else 200
    )


def theme_css(request):
    """The current municipality's colours as CSS variables (kept out of inline styles for the CSP)."""
    response = render(request, "cms/theme.css", content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    return response


ICON_SIZES = (32, 180, 192, 512)


def _icon_png(config, size):
    """The municipality's logo centred on a white square, or its colour with a white disc."""
    background = (
        "#ffffff" if config and config.logo_id else (config.primary_colour if config else "#0b50d0")
    )
    canvas = PILImage.new("RGB", (size, size), background)
    if config and config.logo_id:
        with config.logo.open_file() as file:
            logo = PILImage.open(file)
            logo.load()
        logo = logo.convert("RGBA")
        inner = round(size * 0.875)
        logo = ImageOps.contain(logo, (inner, inner), PILImage.LANCZOS)
        canvas.paste(logo, ((size - logo.width) // 2, (size - logo.height) // 2), logo)
    else:
        margin = size // 5
        ImageDraw.Draw(canvas).ellipse(
            (margin, margin, size - margin, size - margin), fill="#ffffff"
        )
    buffer = io.BytesIO()
    canvas.save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


def site_icon(request, size):
    """A PNG icon of the current municipality (favicon, home-screen and manifest sizes)."""
    if size not in ICON_SIZES:
        raise Http404
    site = Site.find_for_request(request)
    config = MunicipalitySettings.for_site(site) if site else None
    key = f"site-icon:{site.pk if site else 0}:{config.logo_id if config else 0}:{config.primary_colour if config else ''}:{size}"
    data = cache.get(key)
    if data is None:
        data = _icon_png(config, size)
        cache.set(key, data, 60 * 60)
    response = HttpResponse(data, content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


def web_manifest(request):
    """The web app manifest: the municipality's name, colour and icons."""
    site = Site.find_for_request(request)
    config = MunicipalitySettings.for_site(site) if site else None
    name = config.display_name if config else settings.WAGTAIL_SITE_NAME
    manifest = {
        "name": name,
        "short_name": name,
        "lang": translation.get_language() or settings.LANGUAGE_CODE,
        "start_url": "/",
        "scope": "/",
        "display": "standalone",
        "theme_color": config.primary_colour if config else "#0b50d0",
        "background_color": "#ffffff",
        "icons": [
            {
                "src": reverse("site_icon", args=[size]),
                "sizes": f"{size}x{size}",
                "type": "image/png",
            }
            for size in (192, 512)
        ],
    }
    response = JsonResponse(manifest, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    response["Cache-Control"] = "public, max-age=3600"
    return response
