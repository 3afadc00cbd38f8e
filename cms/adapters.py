from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from wagtail.models import Site

from cms.mail import send_later
from cms.models import MunicipalitySettings


class AccountAdapter(DefaultAccountAdapter):
    """allauth, with its mails sent through the job queue."""

    def send_mail(self, template_prefix, email, context):
        site = Site.find_for_request(self.request) if self.request else None
        context.setdefault(
            "municipality_name",
            MunicipalitySettings.for_site(site).display_name
            if site
            else settings.WAGTAIL_SITE_NAME,
        )
        context.setdefault("site_url", site.root_url if site else settings.WAGTAILADMIN_BASE_URL)
        send_later(self.render_mail(template_prefix, email, context))

    def save_user(self, request, user, form, commit=True):
        user.display_name = form.cleaned_data.get("display_name", user.display_name)
        user.language = getattr(request, "LANGUAGE_CODE", user.language) or user.language
        return super().save_user(request, user, form, commit=commit)
