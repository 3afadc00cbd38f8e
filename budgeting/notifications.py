"""What budgets tell people, through participation's notifications and mails (not a copy)."""

from django.utils.translation import gettext as _

from participation.notify import register_messages


def _messages():
    return {
        "project_feasible": (
            _("Your project “%(title)s” was found feasible"),
            _("It can now gather supports and go to the ballot. %(note)s"),
        ),
        "project_unfeasible": (
            _("Your project “%(title)s” was found not feasible"),
            _("Reason: %(note)s"),
        ),
    }


register_messages(_messages, repeatable={"project_feasible", "project_unfeasible"})
