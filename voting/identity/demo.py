"""A stand-in for a 본인인증 window, for development, the demo and tests.

It asks what a real window asks (name, date of birth, mobile number), accepts the code
000000, and derives a stable fake CI from the answers, so the same "person" always gets
the same CI. It is never configured in production settings.
"""

import datetime
import hashlib
import hmac

from django import forms
from django.core import signing
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from voting.identity import IdentityError, IdentityProvider, IdentityResult

SALT = "voting.identity.demo"
MAX_AGE = 600
DEMO_CODE = "000000"


class DemoWindowForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=40)
    birth_date = forms.DateField(
        label=gettext_lazy("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    phone = forms.RegexField(
        label=gettext_lazy("Mobile number"),
        regex=r"^01[016789]-?\d{3,4}-?\d{4}$",
        error_messages={"invalid": gettext_lazy("Enter a mobile number such as 010-1234-5678.")},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    code = forms.CharField(
        label=gettext_lazy("Confirmation code"),
        max_length=6,
        help_text=gettext_lazy("In the demo the code is always 000000."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )

    def clean_code(self):
        if self.cleaned_data["code"].strip() != DEMO_CODE:
            raise forms.ValidationError(_("The confirmation code is wrong."))
        return DEMO_CODE

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        if value > timezone.localdate() or value.year < 1900:
            raise forms.ValidationError(_("Enter your real date of birth."))
        return value


def demo_ci(name, birth_date, phone):
    message = f"{name.strip()}|{birth_date.isoformat()}|{phone.replace('-', '')}".encode()
    return hmac.new(b"demo-ci", message, hashlib.sha512).hexdigest()


class DemoProvider(IdentityProvider):
    key = "demo"
    label = gettext_lazy("Demo identity check (not a real 본인인증)")

    def start(self, request, urls):
        return redirect(urls.window)

    def window(self, request, urls):
        form = DemoWindowForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            token = signing.dumps(
                {
                    "ci": demo_ci(data["name"], data["birth_date"], data["phone"]),
                    "birth": data["birth_date"].isoformat(),
                    "user": request.user.pk,
                },
                salt=SALT,
            )
            return redirect(f"{urls.callback}?{urlencode({'token': token})}")
        return TemplateResponse(
            request,
            "voting/identity/demo_window.html",
            {"form": form},
            status=400 if form.is_bound else 200,
        )

    def complete(self, request):
        try:
            data = signing.loads(request.GET.get("token", ""), salt=SALT, max_age=MAX_AGE)
        except signing.BadSignature:
            raise IdentityError(
                _("The identity check expired or was not valid. Try again.")
            ) from None
        if data.get("user") != request.user.pk:
            raise IdentityError(_("The identity check expired or was not valid. Try again."))
        return IdentityResult(ci=data["ci"], birth_date=datetime.date.fromisoformat(data["birth"]))
