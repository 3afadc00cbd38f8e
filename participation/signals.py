"""Proposals tell people what happened through participation.notify (rq jobs, in the
recipient's language, with an unsubscribe link). Wagtail's own workflow emails are written
for editors and link into the admin, so they are skipped for proposals and kept for the rest.
"""

from django.dispatch import Signal
from wagtail.admin import signal_handlers as wagtail_handlers
from wagtail.models import TaskState, WorkflowState
from wagtail.signals import task_submitted, workflow_approved, workflow_rejected, workflow_submitted


def _is_proposal(instance):
    from participation.models import ProposalPage

    state = instance.workflow_state if isinstance(instance, TaskState) else instance
    model = state.content_type.model_class()
    return model is not None and issubclass(model, ProposalPage)


def _unless_proposal(notifier):
    def receiver(sender, instance, **kwargs):
        if not _is_proposal(instance):
            return notifier(sender=sender, instance=instance, **kwargs)
        return None

    return receiver


WAGTAIL_NOTIFIERS = [
    (
        task_submitted,
        TaskState,
        "group_approval_task_submitted_email_notification",
        wagtail_handlers.task_submission_email_notifier,
    ),
    (
        workflow_submitted,
        WorkflowState,
        "workflow_state_submitted_email_notification",
        wagtail_handlers.workflow_submission_email_notifier,
    ),
    (
        workflow_rejected,
        WorkflowState,
        "workflow_state_rejected_email_notification",
        wagtail_handlers.workflow_rejection_email_notifier,
    ),
    (
        workflow_approved,
        WorkflowState,
        "workflow_state_approved_email_notification",
        wagtail_handlers.workflow_approval_email_notifier,
    ),
]


def replace_wagtail_workflow_emails():
    """Take Wagtail's notifier slots (same dispatch_uid) with versions that skip proposals."""
    for signal, sender, uid, notifier in WAGTAIL_NOTIFIERS:
        signal.disconnect(sender=sender, dispatch_uid=uid)
        signal.connect(_unless_proposal(notifier), sender=sender, dispatch_uid=uid, weak=False)


def set_up_workflow_on_publish(sender, instance, **kwargs):
    """Publishing a municipality's proposals index in the admin sets up its workflow and groups."""
    from participation.workflow import ensure_workflow

    site = instance.get_site()
    if site is not None:
        ensure_workflow(site)


def connect_index_publication():
    from wagtail.signals import page_published

    from participation.models import ProposalIndexPage

    page_published.connect(
        set_up_workflow_on_publish,
        sender=ProposalIndexPage,
        dispatch_uid="participation_index_workflow",
    )


# Sent when a committee puts a proposal to a public vote, with proposal, site, user and
# committee; a receiver that drafts the poll returns it (the voting app does).
put_to_vote = Signal()
