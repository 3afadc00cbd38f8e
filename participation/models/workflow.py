"""The custom Wagtail task types of a municipality's proposal workflow.

moderation -> supports -> committee review. Each task delegates what happens to the
proposal to participation.workflow, so the rules live in one place.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.models import AbstractGroupApprovalTask, Task, TaskState


class ReasonForm(forms.Form):
    comment = forms.CharField(
        label=_("Reason (the author sees it)"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            ("adopted", _("Adopted")),
            ("partly_adopted", _("Partly adopted")),
            ("rejected_by_committee", _("Not adopted")),
            ("put_to_vote", _("Put it to a public vote")),
        ],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Public answer"),
        help_text=_("Shown on the proposal's page and sent to its author and followers."),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=10000,
    )


def _proposal(task_state):
    return task_state.workflow_state.content_object.specific


class ModerationTask(AbstractGroupApprovalTask):
    """The municipality's moderators approve (the proposal goes live), ask for changes or reject."""

    def get_actions(self, obj, user):
        if user.is_superuser or self._user_in_groups(user):
            return [
                ("approve", _("Approve and publish"), False),
                ("request_changes", _("Ask for changes"), True),
                ("reject", _("Reject"), True),
            ]
        return []

    def get_form_for_action(self, action):
        if action in ("reject", "request_changes"):
            return ReasonForm
        return super().get_form_for_action(action)

    def on_action(self, task_state, user, action_name, **kwargs):
        from participation import workflow

        if action_name not in {name for name, _label, _modal in self.get_actions(None, user)}:
            raise PermissionDenied
        workflow.moderate(
            _proposal(task_state), task_state, user, action_name, kwargs.get("comment", "")
        )

    @classmethod
    def get_description(cls):
        return _(
            "Moderators approve a citizen proposal for publication, ask for changes or reject it"
        )

    class Meta:
        verbose_name = _("proposal moderation task")
        verbose_name_plural = _("proposal moderation tasks")


class SupportsTask(Task):
    """Automatic: passes when the proposal reaches its threshold in time, lapses when it closes."""

    def get_actions(self, obj, user):
        return []

    def locked_for_user(self, obj, user):
        return not user.is_superuser

    def get_task_states_user_can_moderate(self, user, **kwargs):
        return TaskState.objects.none()

    @classmethod
    def get_description(cls):
        return _("Waits for the supports needed within the support window; no one acts on it")

    class Meta:
        verbose_name = _("proposal supports task")
        verbose_name_plural = _("proposal supports tasks")


class CommitteeTask(AbstractGroupApprovalTask):
    """The committee decides (adopted, partly adopted, not adopted, put to a public vote) and
    writes the public answer."""

    def get_actions(self, obj, user):
        if self._user_in_groups(user):
            return [("decide", _("Decide and answer"), True)]
        return []

    def get_form_for_action(self, action):
        return DecisionForm

    def get_task_states_user_can_moderate(self, user, **kwargs):
        if self._user_in_groups(user):
            return self.task_states.filter(status=TaskState.STATUS_IN_PROGRESS)
        return TaskState.objects.none()

    def locked_for_user(self, obj, user):
        return not (user.is_superuser or self._user_in_groups(user))

    def on_action(self, task_state, user, action_name, **kwargs):
        from participation import public_vote, workflow

        if action_name != "decide" or not self._user_in_groups(user):
            raise PermissionDenied
        poll = workflow.decide(
            _proposal(task_state), task_state, user, kwargs["decision"], kwargs["comment"]
        )
        # Send the member on to finish the draft poll (Wagtail redirects to what this returns).
        return public_vote.edit_url(poll, user)

    @classmethod
    def get_description(cls):
        return _("Committee members decide on a proposal and answer it in public")

    class Meta:
        verbose_name = _("committee review task")
        verbose_name_plural = _("committee review tasks")
