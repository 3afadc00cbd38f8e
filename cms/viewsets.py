"""Wagtail's user admin, for our users: an email, a display name and a language, no real name."""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail.users.forms import UserCreationForm, UserEditForm
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from cms.forms import SignupForm

OUR_FIELDS = {"display_name", "language"}
NOT_OURS = {"first_name", "last_name"}


class _OurFields(forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in NOT_OURS:
            self.fields.pop(name, None)
        self.fields["display_name"].required = True
        self.fields["display_name"].help_text = _(
            "Shown next to what this person writes. Do not use an email address."
        )

    clean_display_name = SignupForm.clean_display_name


class DisplayNameCreationForm(_OurFields, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = (UserCreationForm.Meta.fields - NOT_OURS) | OUR_FIELDS


class DisplayNameEditForm(_OurFields, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = (UserEditForm.Meta.fields - NOT_OURS) | OUR_FIELDS


class UserViewSet(WagtailUserViewSet):
    def get_form_class(self, for_update=False):
        return DisplayNameEditForm if for_update else DisplayNameCreationForm
