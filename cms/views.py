from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from cms.forms import DeleteAccountForm, ProfileForm


@never_cache
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


@require_POST
def set_language(request):
    """Django's language switch, also saved on a signed-in citizen's account."""
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
