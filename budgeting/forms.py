"""Citizens' forms: submitting and editing a project."""

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from participation.models import ParticipationSettings
from participation.validators import validate_image


class ProjectForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    description = forms.CharField(
        label=_("What is the project?"),
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("What should be done, where, and who benefits."),
    )
    cost = forms.DecimalField(
        label=_("Estimated cost"),
        max_digits=16,
        decimal_places=0,
        min_value=Decimal(1),
        help_text=_("In won, without commas."),
    )
    heading = forms.ModelChoiceField(label=_("Heading"), queryset=None, empty_label=None)
    latitude = forms.FloatField(
        label=_("Latitude (optional)"), required=False, min_value=-90, max_value=90
    )
    longitude = forms.FloatField(
        label=_("Longitude (optional)"), required=False, min_value=-180, max_value=180
    )
    image = forms.FileField(
        label=_("Image (optional)"),
        required=False,
        help_text=_("JPEG, PNG or WebP."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    image_alt = forms.CharField(
        label=_("Describe the image"),
        max_length=200,
        required=False,
        help_text=_("For people who cannot see it. Required with an image."),
    )

    def __init__(self, *args, budget, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["heading"].queryset = budget.headings.order_by("sort_order", "pk")
        self.fields["cost"].help_text = _("In %(currency)s, without commas.") % {
            "currency": budget.currency
        }
        self.max_bytes = ParticipationSettings.for_site(site).max_upload_mb * 1024 * 1024

    def clean_title(self):
        title = " ".join(strip_tags(self.cleaned_data["title"]).split())
        if not title:
            raise ValidationError(gettext("Enter a title."))
        return title

    def clean_description(self):
        description = strip_tags(self.cleaned_data["description"]).strip()
        if not description:
            raise ValidationError(gettext("Describe the project."))
        return description

    def clean_image(self):
        upload = self.cleaned_data.get("image")
        if upload:
            validate_image(upload, max_bytes=self.max_bytes)
        return upload

    def clean(self):
        data = super().clean()
        if data.get("image") and not (data.get("image_alt") or "").strip():
            self.add_error("image_alt", gettext("Describe the image for people who cannot see it."))
        if (data.get("latitude") is None) != (data.get("longitude") is None):
            self.add_error(
                "longitude", gettext("Give both the latitude and the longitude, or neither.")
            )
        heading, cost = data.get("heading"), data.get("cost")
        if heading and cost and cost > heading.amount:
            self.add_error(
                "cost",
                gettext("The cost is more than the whole amount of this heading."),
            )
        return data
