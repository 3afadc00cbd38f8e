from allauth.account.adapter import DefaultAccountAdapter

from cms.mail import send_later


class AccountAdapter(DefaultAccountAdapter):
    """allauth, with its mails sent through the job queue."""

    def send_mail(self, template_prefix, email, context):
        send_later(self.render_mail(template_prefix, email, context))

    def save_user(self, request, user, form, commit=True):
        user.display_name = form.cleaned_data.get("display_name", user.display_name)
        user.language = getattr(request, "LANGUAGE_CODE", user.language) or user.language
        return super().save_user(request, user, form, commit=commit)
