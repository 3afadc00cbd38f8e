"""allauth, with its mails written to the outbox and built when they are sent.

No key, token or link is stored or queued: the password-reset token and the email
confirmation key are made again when the mail is built (both are HMACs of the user or the
address), and every link is on the municipality's Site, never on the request's Host header.
"""

import datetime

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter, get_adapter
from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import translation
from wagtail.models import Site

from cms.links import absolute_path, site_address
from cms.mail import mail_builder, queue_mail
from cms.models import MunicipalitySettings

ACCOUNT_MAIL = "cms.adapters.build_account_mail"
# Context entries that are secrets, links built from the request, or objects: never stored.
_NOT_STORED = {"request", "current_site", "user", "email", "key", "code", "uid", "token"}


def _plain(context):
    """The context entries that may sit in the database: plain values, dates as text."""
    plain = {}
    for name, value in context.items():
        if name in _NOT_STORED or name.endswith("_url"):
            continue
        if isinstance(value, datetime.datetime):
            plain[name] = {"datetime": value.isoformat()}
        elif value is None or isinstance(value, (str, int, float, bool)):
            plain[name] = value
    return plain


def _revive(context):
    return {
        name: datetime.datetime.fromisoformat(value["datetime"])
        if isinstance(value, dict) and "datetime" in value
        else value
        for name, value in context.items()
    }


def _site(site_id):
    return (Site.objects.filter(pk=site_id).first() if site_id else None) or Site.objects.filter(
        is_default_site=True
    ).first()


def _link(site, path):
    """Account links live on the municipality's Site (cms.links), never on the Host header."""
    return absolute_path(site, path) if site else settings.WAGTAILADMIN_BASE_URL + path


def _password_reset_link(site, user):
    token = account_settings.PASSWORD_RESET_TOKEN_GENERATOR().make_token(user)
    path = reverse("account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"})
    return _link(site, path.replace("UID-KEY", f"{user_pk_to_url_str(user)}-{token}"))


@mail_builder
def build_account_mail(
    template_prefix, email, site_id, language, context, user_id=None, email_address_id=None
):
    """Render an allauth mail now, with fresh keys and links on the municipality's site."""
    site = _site(site_id)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    if user_id and (user is None or not user.is_active):
        return None
    ctx = _revive(context)
    ctx.update(
        user=user,
        email=email,
        municipality_name=MunicipalitySettings.for_site(site).display_name
        if site
        else settings.WAGTAIL_SITE_NAME,
        site_url=site_address(site) if site else settings.WAGTAILADMIN_BASE_URL,
        signup_url=_link(site, reverse("account_signup")),
        password_reset_url=_link(site, reverse("account_reset_password")),
    )
    if template_prefix == "account/email/password_reset_key":
        if user is None:
            return None
        ctx["password_reset_url"] = _password_reset_link(site, user)
    if email_address_id:
        address = EmailAddress.objects.filter(pk=email_address_id).first()
        if address is None or address.verified:
            return None
        ctx["key"] = EmailConfirmationHMAC(address).key
        ctx["activate_url"] = _link(site, reverse("account_confirm_email", args=[ctx["key"]]))
    with translation.override(language or settings.LANGUAGE_CODE):
        return get_adapter().render_mail(template_prefix, email, ctx)


class AccountAdapter(DefaultAccountAdapter):
    """allauth, with its mails sent through the outbox."""

    def _queue(self, template_prefix, email, context, **ids):
        site = Site.find_for_request(self.request) if self.request else None
        user = context.get("user")
        if user is not None and getattr(user, "pk", None):
            ids.setdefault("user_id", user.pk)
        queue_mail(
            ACCOUNT_MAIL,
            {
                "template_prefix": template_prefix,
                "email": email,
                "site_id": site.pk if site else None,
                "language": translation.get_language(),
                "context": _plain(context),
                **ids,
            },
        )

    def send_mail(self, template_prefix, email, context):
        self._queue(template_prefix, email, context)

    def send_confirmation_mail(self, request, emailconfirmation, signup):
        address = emailconfirmation.email_address
        template = (
            "account/email/email_confirmation_signup"
            if signup
            else "account/email/email_confirmation"
        )
        self._queue(template, address.email, {"user": address.user}, email_address_id=address.pk)

    def save_user(self, request, user, form, commit=True):
        user.display_name = form.cleaned_data.get("display_name", user.display_name)
        user.language = getattr(request, "LANGUAGE_CODE", user.language) or user.language
        return super().save_user(request, user, form, commit=commit)
