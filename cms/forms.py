import unicodedata

from django import forms
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site

from cms.models import Consent, MunicipalitySettings, User

# Words that would make a citizen look like the administration speaking.
RESERVED_WORDS = (
    "관리자",
    "운영자",
    "시청",
    "도청",
    "군청",
    "구청",
    "위원회",
    "공무원",
    "admin",
    "administrator",
    "moderator",
    "official",
)


def _normalised(name):
    """Compared without case, spaces or look-alike forms (full-width letters, etc.)."""
    name = unicodedata.normalize("NFKC", name).casefold()
    return "".join(char for char in name if char.isalnum())


def is_reserved_name(name, user=None):
    """Whether a display name is one of the staff's or officials', or a reserved word."""
    wanted = _normalised(name)
    if any(_normalised(word) in wanted for word in RESERVED_WORDS):
        return True
    staff = User.objects.filter(Q(is_staff=True) | Q(is_superuser=True) | Q(groups__isnull=False))
    if user is not None and user.pk:
        staff = staff.exclude(pk=user.pk)
    return any(
        _normalised(other) == wanted
        for other in staff.exclude(display_name="").values_list("display_name", flat=True)
    )


class SignupForm(forms.Form):
    """What allauth's sign-up asks besides email and password: a display name and consent.

    Consent to the municipality's privacy notice (purposes, items, retention) and its terms
    is required; the version and wording agreed to are recorded with the time.
    """

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=40,
        help_text=_("Shown next to what you write. Do not use your email address."),
    )
    consent_privacy = forms.BooleanField(
        label=_("I agree to the collection and use of my personal data as described above."),
        error_messages={
            "required": _("You can only sign up if you agree to the use of your personal data.")
        },
    )
    consent_terms = forms.BooleanField(
        label=_("I agree to the terms of use."),
        error_messages={"required": _("You can only sign up if you agree to the terms of use.")},
    )

    def clean_display_name(self):
        name = self.cleaned_data["display_name"].strip()
        if "@" in name:
            raise forms.ValidationError(_("A display name cannot contain an email address."))
        if not name:
            raise forms.ValidationError(_("Enter a display name."))
        user = getattr(self, "instance", None)
        if is_reserved_name(name, user) and not getattr(user, "is_staff", False):
            raise forms.ValidationError(
                _(
                    "This name is reserved for the municipality's staff and officials. "
                    "Choose another display name."
                )
            )
        return name

    @transaction.atomic
    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])
        site = Site.find_for_request(request)
        terms = MunicipalitySettings.for_site(site).consent_terms if site else {}
        version = terms.get("version", "")
        Consent.objects.bulk_create(
            [
                Consent(
                    user=user, site=site, kind=Consent.Kind.PRIVACY, version=version, terms=terms
                ),
                Consent(user=user, site=site, kind=Consent.Kind.TERMS, version=version),
            ]
        )


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "language"]
        help_texts = {"display_name": SignupForm.base_fields["display_name"].help_text}

    clean_display_name = SignupForm.clean_display_name


class DeleteAccountForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("I understand that my account will be deleted and cannot be restored."),
    )
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        if not user.has_usable_password():
            del self.fields["password"]

    def clean_password(self):
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError(_("The password is not correct."))
        return password
