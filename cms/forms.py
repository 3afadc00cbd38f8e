from django import forms
from django.utils.translation import gettext_lazy as _

from cms.models import User


class SignupForm(forms.Form):
    """The extra field allauth's sign-up asks for: how the person is shown."""

    display_name = forms.CharField(
        label=_("Display name"),
        max_length=40,
        help_text=_("Shown next to what you write. Do not use your email address."),
    )

    def clean_display_name(self):
        name = self.cleaned_data["display_name"].strip()
        if "@" in name:
            raise forms.ValidationError(_("A display name cannot contain an email address."))
        if not name:
            raise forms.ValidationError(_("Enter a display name."))
        return name

    def signup(self, request, user):
        user.display_name = self.cleaned_data["display_name"]
        user.save(update_fields=["display_name"])


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
