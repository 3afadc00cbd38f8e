import logging
import re

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

ADMIN_PREFIXES = ("/admin/", "/django-admin/", "/django-rq/")
# The database went away (a restart, a failover, cut connections), as opposed to a bug.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 30

logger = logging.getLogger(__name__)


def preferred_language(request):
    """The language chosen with the switcher, else the account's, else Korean."""
    known = dict(settings.LANGUAGES)
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen in known:
        return chosen
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.language in known:
        return user.language
    return settings.LANGUAGE_CODE


class UserLanguageMiddleware:
    """Korean unless the visitor or their account chose otherwise.

    Browsers' Accept-Language is ignored on purpose: a municipality's site speaks
    Korean first, and English only to those who ask for it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = preferred_language(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", language)
        return response


# Admin URLs that render a page as the public sees it (previews, drafts, old revisions).
PREVIEW_PATH = re.compile(
    r"^/admin/(pages|snippets)/.*/(preview|view_draft|revisions/\d+/view|workflow/preview/\d+)/$"
)


class SitePolicyMiddleware(CSPMiddleware):
    """The Content-Security-Policy: strict on the public site and in previews of citizens'
    pages, looser in the rest of the Wagtail admin; a Permissions-Policy everywhere."""

    def process_response(self, request, response):
        if (
            request.path.startswith(ADMIN_PREFIXES)
            and getattr(response, "_csp_config", None) is None
        ):
            policy = (
                settings.CONTENT_SECURITY_POLICY_PREVIEW
                if PREVIEW_PATH.match(request.path)
                else settings.CONTENT_SECURITY_POLICY_ADMIN
            )
            response._csp_config = policy["DIRECTIVES"]
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        return super().process_response(request, response)


def passed_second_factor(request):
    """Whether this session's sign-in went through allauth's two-factor step."""
    records = get_authentication_records(request, request.user)
    return any(record.get("method") == "mfa" for record in records)


class AdminMFAMiddleware:
    """The admin (Wagtail's and Django's) opens only to a session that passed the second factor.

    Where the account has an authenticator, this session must have used it: a session from a
    password-only sign-in (any path around allauth's login) is signed out and sent to
    allauth's login, which asks for both. With REQUIRE_ADMIN_MFA, people without an
    authenticator set one up first.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(ADMIN_PREFIXES) and request.user.is_authenticated:
            has_authenticator = (
                Authenticator.objects.filter(user=request.user)
                .exclude(type=Authenticator.Type.RECOVERY_CODES)
                .exists()
            )
            if has_authenticator and not passed_second_factor(request):
                logout(request)
                messages.warning(
                    request,
                    _("Sign in again with your second factor to enter the administration."),
                )
                return redirect_to_login(request.get_full_path())
            if settings.REQUIRE_ADMIN_MFA and not has_authenticator:
                messages.warning(
                    request,
                    _("Set up two-factor authentication before you enter the administration."),
                )
                return redirect("mfa_activate_totp")
        return self.get_response(request)


def database_unavailable_response(request=None):
    """The friendly 503, rendered from static files only: the database is not asked anything.

    In the request's language where UserLanguageMiddleware chose one, else Korean (the
    database may have gone before the visitor's language was known).
    """
    language = getattr(request, "LANGUAGE_CODE", None) or settings.LANGUAGE_CODE
    with translation.override(language):
        html = render_to_string("503.html")
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    """A view that lost the database answers with the 503 page instead of the generic 500.

    Writes run in `transaction.atomic()` blocks, so a connection lost mid-way leaves the
    transaction rolled back by PostgreSQL: nothing half-written. Errors raised outside the
    view (a middleware reading the session) reach `cms.views.server_error`, which answers
    the same.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_UNAVAILABLE):
            logger.warning(
                "Database unavailable during %s %s: %s",
                request.method,
                request.path,
                exception.__class__.__name__,
            )
            return database_unavailable_response(request)
        return None
