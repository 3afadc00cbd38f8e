from allauth.mfa.models import Authenticator
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

ADMIN_PREFIXES = ("/admin/", "/django-admin/", "/django-rq/")


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


class SitePolicyMiddleware(CSPMiddleware):
    """The Content-Security-Policy: strict on the public site, looser in the Wagtail admin."""

    def process_response(self, request, response):
        if (
            request.path.startswith(ADMIN_PREFIXES)
            and getattr(response, "_csp_config", None) is None
        ):
            response._csp_config = settings.CONTENT_SECURITY_POLICY_ADMIN["DIRECTIVES"]
        return super().process_response(request, response)


class AdminMFAMiddleware:
    """With REQUIRE_ADMIN_MFA, staff set up a second factor before entering the admin."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            settings.REQUIRE_ADMIN_MFA
            and request.path.startswith(ADMIN_PREFIXES)
            and request.user.is_authenticated
            and not Authenticator.objects.filter(
                user=request.user, type=Authenticator.Type.TOTP
            ).exists()
        ):
            messages.warning(
                request,
                _("Set up two-factor authentication before you enter the administration."),
            )
            return redirect("mfa_activate_totp")
        return self.get_response(request)
