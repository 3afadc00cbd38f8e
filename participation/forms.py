"""Citizen-facing forms: every error is a clear, translated message."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from participation.models import (
    Area,
    ParticipationSettings,
    Position,
    ProposalPage,
    Report,
    Topic,
)
from participation.sanitize import clean_citizen_html
from participation.validators import validate_attachment, validate_image

MAX_FILES = 4
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def one_line(title):
    """A title is one line: it heads pages, lists and mail subjects alike."""
    if _CONTROL.search(title):
        raise ValidationError(_("A title is one line: remove line breaks and control characters."))
    return title


class ProposalForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=120)
    summary = forms.CharField(
        label=_("Summary"),
        max_length=300,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One or two sentences shown in lists (300 characters at most)."),
    )
    body = forms.CharField(
        label=_("Your proposal"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "What is the problem, what do you propose, and who benefits? "
            "You can write **bold**, *italic*, lists starting with - or 1. and links as "
            "[text](https://…); the preview shows how it will look."
        ),
    )
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=Topic.objects.none(), empty_label=_("Choose a topic")
    )
    area = forms.ModelChoiceField(
        label=_("Area (optional)"),
        queryset=Area.objects.none(),
        required=False,
        empty_label=_("The whole municipality"),
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
    attachment = forms.FileField(
        label=_("Attachment (optional)"),
        required=False,
        help_text=_("PDF, HWP, HWPX, DOCX or XLSX."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.hwp,.hwpx,.docx,.xlsx"}),
    )

    def __init__(self, *args, site, existing_files=0, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].queryset = Topic.objects.filter(site=site)
        self.fields["area"].queryset = Area.objects.filter(site=site)
        if not self.fields["area"].queryset.exists():
            del self.fields["area"]
        self.max_bytes = ParticipationSettings.for_site(site).max_upload_mb * 1024 * 1024
        limit = f"{ParticipationSettings.for_site(site).max_upload_mb} MB"
        for name in ("image", "attachment"):
            self.fields[name].help_text = f"{self.fields[name].help_text} " + str(
                _("At most %(limit)s.") % {"limit": limit}
            )
        self.existing_files = existing_files

    def clean_title(self):
        title = one_line(strip_tags(self.cleaned_data["title"]).strip())
        if not title:
            raise ValidationError(_("Enter a title."))
        return title

    def clean_summary(self):
        summary = strip_tags(self.cleaned_data["summary"]).strip()
        if not summary:
            raise ValidationError(_("Enter a summary."))
        return summary

    def clean_body(self):
        body = clean_citizen_html(self.cleaned_data["body"])
        if not strip_tags(body).strip():
            raise ValidationError(_("Write your proposal."))
        return body

    def clean_image(self):
        image = self.cleaned_data.get("image")
        if image:
            validate_image(image, self.max_bytes)
        return image

    def clean_attachment(self):
        attachment = self.cleaned_data.get("attachment")
        if attachment:
            validate_attachment(attachment, self.max_bytes)
        return attachment

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("image") and not cleaned.get("image_alt", "").strip():
            self.add_error("image_alt", _("Describe the image for people who cannot see it."))
        new_files = bool(cleaned.get("image")) + bool(cleaned.get("attachment"))
        if self.existing_files + new_files > MAX_FILES:
            raise ValidationError(_("A proposal can have at most %(n)d files.") % {"n": MAX_FILES})
        return cleaned


class WithdrawForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why are you withdrawing it?"),
        choices=ProposalPage.WithdrawalReason.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Explanation"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("reason") == ProposalPage.WithdrawalReason.OTHER
            and not cleaned.get("note", "").strip()
        ):
            self.add_error("note", _("Explain why you are withdrawing it."))
        cleaned["note"] = strip_tags(cleaned.get("note", "")).strip()
        return cleaned


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("What is wrong?"), choices=Report.Reason.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Details (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_note(self):
        return strip_tags(self.cleaned_data.get("note", "")).strip()


class FilterForm(forms.Form):
    SORTS = [
        ("newest", _("Newest")),
        ("supported", _("Most supported")),
        ("closing", _("Closing soon")),
        ("answered", _("Recently answered")),
    ]
    PUBLIC_STAGES = [
        ProposalPage.Stage.COLLECTING,
        ProposalPage.Stage.REVIEW,
        ProposalPage.Stage.ADOPTED,
        ProposalPage.Stage.PARTLY_ADOPTED,
        ProposalPage.Stage.REJECTED_BY_COMMITTEE,
        ProposalPage.Stage.PUT_TO_VOTE,
        ProposalPage.Stage.IMPLEMENTED,
        ProposalPage.Stage.LAPSED,
        ProposalPage.Stage.WITHDRAWN,
    ]
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    topic = forms.ModelChoiceField(
        label=_("Topic"), queryset=Topic.objects.none(), required=False, empty_label=_("All")
    )
    area = forms.ModelChoiceField(
        label=_("Area"), queryset=Area.objects.none(), required=False, empty_label=_("All")
    )
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORTS, required=False)

    def __init__(self, *args, site, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].choices = [("", _("All"))] + [
            (s.value, s.label) for s in self.PUBLIC_STAGES
        ]
        self.fields["topic"].queryset = Topic.objects.filter(site=site)
        self.fields["area"].queryset = Area.objects.filter(site=site)


# Debates and comments


class CommentForm(forms.Form):
    """Plain text (links become clickable, line breaks are kept), within the site's limit."""

    body = forms.CharField(
        label=_("Your comment"),
        widget=forms.Textarea(attrs={"rows": 4}),
        strip=True,
        error_messages={"required": _("Write your comment before posting it.")},
    )
    position = forms.ChoiceField(
        label=_("Your position"),
        choices=[("", _("No position")), *Position.choices],
        required=False,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, max_length, positions=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_length = max_length
        self.fields["body"].widget.attrs["maxlength"] = str(max_length)
        self.fields["body"].help_text = _("Plain text, at most %(n)d characters.") % {
            "n": max_length
        }
        if not positions:
            del self.fields["position"]

    def clean_body(self):
        body = self.cleaned_data["body"].replace("\r\n", "\n")
        if len(body) > self.max_length:
            raise ValidationError(
                _(
                    "Your comment is %(length)d characters long; the limit is %(limit)d. "
                    "Shorten it and post it again."
                )
                % {"length": len(body), "limit": self.max_length}
            )
        if not body.strip():
            raise ValidationError(_("Write your comment before posting it."))
        return body


class DebateForm(forms.Form):
    title = forms.CharField(label=_("The question to debate"), max_length=150)
    summary = forms.CharField(
        label=_("Explain it"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Plain text, at most 2000 characters. Links become clickable."),
    )

    def clean_title(self):
        title = one_line(strip_tags(self.cleaned_data["title"]).strip())
        if not title:
            raise ValidationError(_("Enter the question to debate."))
        return title

    def clean_summary(self):
        summary = self.cleaned_data["summary"].replace("\r\n", "\n").strip()
        if not summary:
            raise ValidationError(_("Explain the question."))
        return summary


class CloseDebateForm(forms.Form):
    conclusion = forms.CharField(
        label=_("Conclusion"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What the debate showed and what happens next. Shown at the top."),
    )


class DebateFilterForm(forms.Form):
    SORTS = [
        ("newest", _("Newest")),
        ("active", _("Most active")),
        ("voted", _("Most voted")),
    ]
    STATUSES = [
        ("", _("All")),
        ("open", _("Open")),
        ("closed", _("Closed")),
        ("official", _("Official")),
    ]
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Show"), choices=STATUSES, required=False)
    sort = forms.ChoiceField(label=_("Sort by"), choices=SORTS, required=False)
