import csv
import datetime
import io
import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from voting import hashing, secrecy
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
        code = secrecy.normalise_receipt(self.cleaned_data["receipt"])
        if not code:
            raise ValidationError(
                _("A receipt code has 16 letters and digits, e.g. ABCD-EFGH-JKLM-NPQR.")
            )
        return code


def _district_field(form, districts, required=True):
    if districts:
        form.fields["district"] = forms.ChoiceField(
            label=_("District"),
            required=required,
            choices=[("", _("Choose your district"))] + [(d, d) for d in districts],
        )


def _check_birth_date(value):
    today = timezone.localdate()
    if value > today or value < today - datetime.timedelta(days=366 * 130):
        raise ValidationError(_("Enter your real date of birth."))
    return value


BIRTH_DATE_WIDGET = forms.DateInput(
    attrs={"type": "date", "autocomplete": "bday"}, format="%Y-%m-%d"
)


RRN_LIKE = re.compile(r"\d{6}\s*-?\s*[1-8]\d{6}")


def _refuse_rrn(value):
    """No resident registration number is accepted anywhere (PIPA art. 24-2)."""
    if RRN_LIKE.search(unicodedata.normalize("NFKC", value)):
        raise ValidationError(
            _("Do not enter your resident registration number: it is not needed here.")
        )


class CensusCheckForm(forms.Form):
    """What a municipality may lawfully hold and a citizen knows; never the resident number."""

    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    birth_date = forms.DateField(label=gettext_lazy("Date of birth"), widget=BIRTH_DATE_WIDGET)
    code = forms.CharField(label="", max_length=80)

    def __init__(self, *args, code_kind="address", districts=(), **kwargs):
        super().__init__(*args, **kwargs)
        if code_kind == "household":
            self.fields["code"].label = _("Household code")
            self.fields["code"].help_text = _(
                "The code in the letter the municipality sent to your household."
            )
        else:
            self.fields["code"].label = _("Road name and building number")
            self.fields["code"].help_text = _(
                "As on your resident registration, e.g. 중앙대로 151. Without the flat number."
            )
            self.fields["code"].widget.attrs["autocomplete"] = "address-line1"
        _district_field(self, districts, required=False)

    def clean_name(self):
        value = self.cleaned_data["name"].strip()
        _refuse_rrn(value)
        if not hashing.normalise_part(value) or any(ch.isdigit() for ch in value):
            raise ValidationError(_("Enter your name as on your resident registration."))
        return value

    def clean_birth_date(self):
        return _check_birth_date(self.cleaned_data["birth_date"])

    def clean_code(self):
        value = self.cleaned_data["code"].strip()
        _refuse_rrn(value)
        if not hashing.normalise_part(value):
            raise ValidationError(_("This field is required."))
        return value


ALLOWED_DOCUMENTS = {
    "pdf": b"%PDF-",
    "jpg": b"\xff\xd8\xff",
    "jpeg": b"\xff\xd8\xff",
    "png": b"\x89PNG\r\n\x1a\n",
}
MAX_DOCUMENT_MB = 5


class DocumentRequestForm(forms.Form):
    """A proof of address for staff to look at; the file is deleted once they decide."""

    birth_date = forms.DateField(label=gettext_lazy("Date of birth"), widget=BIRTH_DATE_WIDGET)
    document = forms.FileField(
        label=gettext_lazy("Proof of address (PDF, JPG or PNG, up to 5 MB)"),
        help_text=gettext_lazy(
            "For example a certificate of residence (주민등록표 초본) with the back six digits "
            "of the resident registration number covered, or a utility bill."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, districts=(), **kwargs):
        kwargs.setdefault("auto_id", "document_%s")  # unique ids beside the other forms
        super().__init__(*args, **kwargs)
        _district_field(self, districts)

    def clean_birth_date(self):
        return _check_birth_date(self.cleaned_data["birth_date"])

    def clean_document(self):
        upload = self.cleaned_data["document"]
        suffix = upload.name.rsplit(".", 1)[-1].lower() if "." in upload.name else ""
        if suffix not in ALLOWED_DOCUMENTS:
            raise ValidationError(_("Upload a PDF, JPG or PNG file."))
        if upload.size > MAX_DOCUMENT_MB * 1024 * 1024:
            raise ValidationError(_("The file is larger than %(mb)d MB.") % {"mb": MAX_DOCUMENT_MB})
        head = upload.read(16)
        upload.seek(0)
        if not head.startswith(ALLOWED_DOCUMENTS[suffix]):
            raise ValidationError(_("The file is not the PDF, JPG or PNG its name says."))
        return upload


class ProviderStartForm(forms.Form):
    """The person declares where they live before the provider confirms who they are."""

    declaration = forms.BooleanField(
        label="",
        error_messages={"required": gettext_lazy("Tick the box to declare that you live here.")},
    )

    def __init__(self, *args, name="", districts=(), **kwargs):
        kwargs.setdefault("auto_id", "provider_%s")  # unique ids beside the other forms
        super().__init__(*args, **kwargs)
        self.fields["declaration"].label = _(
            "I declare that I live in %(name)s. A false declaration may be reported and the "
            "verification withdrawn."
        ) % {"name": name}
        _district_field(self, districts)


class CensusUploadForm(forms.Form):
    """A census CSV: `identity_hash,birth_date[,district]`, UTF-8, with that header row."""

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
        if header[:2] != ["identity_hash", "birth_date"] or header[2:] not in ([], ["district"]):
            raise ValidationError(
                _(
                    "The first line must be: identity_hash,birth_date,district "
                    "(district optional). Hash the plain census with manage.py hash_census."
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
                    problem = _("the identity hash is not 64 hexadecimal characters")
                elif born is None:
                    problem = _("the date of birth is not a date like 1990-01-31")
                elif len(district) > 80:
                    problem = _("the district name is longer than 80 characters")
                elif digest in seen:
                    problem = _("the same person as line %(line)d") % {"line": seen[digest]}
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
