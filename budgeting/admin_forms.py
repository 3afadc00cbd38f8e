"""The budget's edit form in the Wagtail admin: once balloting opens, the ballot is frozen.

Changing the ballot kind, its limits, the counting rule or a heading's amount while people
vote (or after) would change what their ballots mean (CONSUL #5321). The form refuses it and
says why; everything else on the page may still be edited.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from wagtail.admin.forms import WagtailAdminPageForm

FROZEN_FIELDS = (
    "ballot_kind",
    "rule",
    "currency",
    "min_project_score_threshold",
    "min_length",
    "max_length",
    "min_sum_cost",
    "max_sum_cost",
    "min_points",
    "max_points",
    "min_sum_points",
    "max_sum_points",
)


def frozen_message():
    return _(
        "Balloting has opened, so the ballot kind, its limits, the counting rule and the "
        "headings' amounts can no longer change: ballots already cast would mean something else."
    )


class BudgetPageForm(WagtailAdminPageForm):
    def clean(self):
        cleaned = super().clean()
        page = self.instance
        if not page.pk:
            return cleaned
        stored = type(page).objects.get(pk=page.pk)
        if not stored.settings_frozen():
            return cleaned
        for name in FROZEN_FIELDS:
            if name in self.fields and name in cleaned and cleaned[name] != getattr(stored, name):
                self.add_error(name, frozen_message())
        return cleaned

    def is_valid(self):
        """The headings' formset is cleaned after the page's own fields: check it here."""
        valid = super().is_valid()
        page = self.instance
        if page.pk:
            stored = type(page).objects.get(pk=page.pk)
            if stored.settings_frozen() and self._check_headings(stored):
                return False
        return valid

    def _check_headings(self, stored):
        formset = self.formsets.get("headings")
        if formset is None:
            return False
        amounts = dict(stored.headings.values_list("pk", "amount"))
        changed = False
        for form in formset.forms:
            if not form.has_changed() and form.instance.pk:
                continue
            data = getattr(form, "cleaned_data", None) or {}
            pk = form.instance.pk
            if pk is None:
                if data and not data.get("DELETE"):
                    changed = True
                continue
            if data.get("DELETE"):
                changed = True
            elif "amount" in data and data["amount"] != amounts.get(pk):
                form.add_error("amount", frozen_message())
                changed = True
        if changed:
            self.add_error(
                None,
                ValidationError(
                    _("Headings cannot be added, removed or given another amount: %(why)s")
                    % {"why": frozen_message()}
                ),
            )
        return changed
