import csv
import datetime
import io

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from voting import hashing
from voting.models import Channel, PollQuestion

Kind = PollQuestion.Kind


class BallotForm(forms.Form):
    """One field per single/multiple question, one rank select per option of a ranking question.

    `choices()` gives the validated (question_id, option_id, rank) triples to store.
    """

    def __init__(self, poll, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.poll = poll
        self.groups = []
        for question in poll.question_list:
            options = list(question.options.all())
            option_choices = [(str(o.pk), o.text) for o in options]
            limit = question.choice_limit(len(options))
            names = []
            if question.kind == Kind.SINGLE:
                name = f"q{question.pk}"
                self.fields[name] = forms.ChoiceField(
                    label=question.text,
                    choices=option_choices,
                    widget=forms.RadioSelect,
                    help_text=question.help_text,
                    error_messages={"required": _("Choose an option.")},
                )
                names.append(name)
            elif question.kind == Kind.MULTIPLE:
                name = f"q{question.pk}"
                self.fields[name] = forms.MultipleChoiceField(
                    label=question.text,
                    choices=option_choices,
                    widget=forms.CheckboxSelectMultiple,
                    help_text=question.help_text,
                    error_messages={"required": _("Choose at least one option.")},
                )
                names.append(name)
            else:
                rank_choices = [("", _("Not ranked"))] + [
                    (str(n), str(n)) for n in range(1, limit + 1)
                ]
                for option in options:
                    name = f"q{question.pk}_o{option.pk}"
                    self.fields[name] = forms.TypedChoiceField(
                        label=option.text,
                        choices=rank_choices,
                        coerce=int,
                        empty_value=None,
                        required=False,
                    )
                    names.append(name)
            self.groups.append(
                {"question": question, "options": options, "limit": limit, "names": names}
            )

    def group_fields(self):
        for group in self.groups:
            yield {**group, "fields": [self[name] for name in group["names"]]}

    def clean(self):
        data = super().clean()
        self._choices = []
        for group in self.groups:
            question, limit = group["question"], group["limit"]
            if question.kind == Kind.SINGLE:
                if data.get(group["names"][0]):
                    self._choices.append((question.pk, int(data[group["names"][0]]), None))
            elif question.kind == Kind.MULTIPLE:
                picked = data.get(group["names"][0]) or []
                if len(picked) > limit:
                    self.add_error(
                        group["names"][0],
                        ngettext(
                            "Choose at most %(limit)d option.",
                            "Choose at most %(limit)d options.",
                            limit,
                        )
                        % {"limit": limit},
                    )
                self._choices += [(question.pk, int(pk), None) for pk in picked]
            else:
                ranks = {
                    option.pk: data.get(name)
                    for option, name in zip(group["options"], group["names"], strict=True)
                    if data.get(name)
                }
                first = group["names"][0]
                if not ranks:
                    self.add_error(first, _("Rank at least one option."))
                elif sorted(ranks.values()) != list(range(1, len(ranks) + 1)):
                    self.add_error(
                        first,
                        _(
                            "Give each ranked option a different rank, starting from 1 "
                            "without gaps."
                        ),
                    )
                self._choices += [(question.pk, pk, rank) for pk, rank in ranks.items()]
        return data

    def choices(self):
        return list(self._choices)


class ReceiptForm(forms.Form):
    receipt = forms.CharField(
        label=gettext_lazy("Receipt code"),
        max_length=40,
        help_text=gettext_lazy("The code you were given when you voted, e.g. ABCD-EFGH-JKLM-NPQR."),
    )

    def clean_receipt(self):
        code = hashing.normalise_receipt(self.cleaned_data["receipt"])
        if not code:
            raise ValidationError(
                _("A receipt code has 16 letters and digits, e.g. ABCD-EFGH-JKLM-NPQR.")
            )
        return code


class VerificationRequestForm(forms.Form):
    """What a citizen types to be recognised as a resident. The identifier is hashed at once."""

    identifier = forms.CharField(
        label=gettext_lazy("Resident registration number"),
        max_length=40,
        help_text=gettext_lazy(
            "We do not keep this number: we keep only a one-way hash of it, to compare with the "
            "municipality's census."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    birth_date = forms.DateField(
        label=gettext_lazy("Date of birth"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args, districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        if districts:
            self.fields["district"] = forms.ChoiceField(
                label=_("District"),
                choices=[("", _("Choose your district"))] + [(d, d) for d in districts],
            )

    def clean_identifier(self):
        value = hashing.normalise_identifier(self.cleaned_data["identifier"])
        if not (6 <= len(value) <= 20) or not value.isalnum():
            raise ValidationError(_("Enter your identifier as printed, e.g. 900101-1234567."))
        return value

    def clean_birth_date(self):
        value = self.cleaned_data["birth_date"]
        today = timezone.localdate()
        if value > today or value < today - datetime.timedelta(days=366 * 130):
            raise ValidationError(_("Enter your real date of birth."))
        return value


class CensusUploadForm(forms.Form):
    """A census CSV: `identifier_hash,birth_date[,district]`, UTF-8, with that header row."""

    site = forms.ModelChoiceField(queryset=None, label=gettext_lazy("Municipality"))
    file = forms.FileField(label=gettext_lazy("Census file (CSV)"))

    MAX_ERRORS = 50

    def __init__(self, *args, sites, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites

    def clean_file(self):
        upload = self.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationError(_("The file is not UTF-8 text.")) from None
        reader = csv.reader(io.StringIO(text))
        header = [h.strip().lower() for h in next(reader, [])]
        if header[:2] != ["identifier_hash", "birth_date"] or header[2:] not in ([], ["district"]):
            raise ValidationError(
                _(
                    "The first line must be: identifier_hash,birth_date,district "
                    "(district optional)."
                )
            )
        rows, errors, seen = [], [], {}
        for line, record in enumerate(reader, start=2):
            if not any(cell.strip() for cell in record):
                continue
            problem = None
            if len(record) not in (2, 3):
                problem = _("expected 2 or 3 columns, found %(n)d") % {"n": len(record)}
            else:
                digest = record[0].strip().lower()
                district = record[2].strip() if len(record) == 3 else ""
                try:
                    born = datetime.date.fromisoformat(record[1].strip())
                except ValueError:
                    born = None
                if not hashing.HEX64.match(digest):
                    problem = _("the identifier hash is not 64 hexadecimal characters")
                elif born is None:
                    problem = _("the date of birth is not a date like 1990-01-31")
                elif len(district) > 80:
                    problem = _("the district name is longer than 80 characters")
                elif digest in seen:
                    problem = _("the same identifier as line %(line)d") % {"line": seen[digest]}
                else:
                    seen[digest] = line
                    rows.append((digest, born, district))
            if problem:
                errors.append(_("Line %(line)d: %(problem)s.") % {"line": line, "problem": problem})
        if errors:
            shown = errors[: self.MAX_ERRORS]
            if len(errors) > self.MAX_ERRORS:
                shown.append(_("… and %(n)d more errors.") % {"n": len(errors) - self.MAX_ERRORS})
            raise ValidationError(shown)
        if not rows:
            raise ValidationError(_("The file has no residents in it."))
        return rows


class OfflineResultsForm(forms.Form):
    """One number per option and offline channel, and the ballots counted per channel."""

    CHANNELS = [Channel.PAPER, Channel.BOOTH]

    def __init__(self, poll, *args, initial_results=None, initial_turnout=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.poll = poll
        initial_results = initial_results or {}
        initial_turnout = initial_turnout or {}
        self.sections = []
        for channel in self.CHANNELS:
            name = f"turnout_{channel}"
            self.fields[name] = forms.IntegerField(
                label=_("Ballots counted: %(channel)s") % {"channel": channel.label},
                min_value=0,
                max_value=10_000_000,
                initial=initial_turnout.get(channel, 0),
            )
        for question in poll.question_list:
            names = []
            for option in question.options.all():
                for channel in self.CHANNELS:
                    name = f"o{option.pk}_{channel}"
                    self.fields[name] = forms.IntegerField(
                        label=f"{option.text} — {channel.label}",
                        min_value=0,
                        max_value=100_000_000,
                        initial=initial_results.get((option.pk, channel), 0),
                    )
                    names.append(name)
            self.sections.append((question, names))

    def results(self):
        for question, _names in self.sections:
            for option in question.options.all():
                for channel in self.CHANNELS:
                    yield option, channel, self.cleaned_data[f"o{option.pk}_{channel}"]

    def turnout(self):
        for channel in self.CHANNELS:
            yield channel, self.cleaned_data[f"turnout_{channel}"]
