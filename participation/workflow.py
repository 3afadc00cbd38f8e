"""The proposal path: what each workflow step does to a proposal, and the automatic deadlines.

Tasks (participation.models.workflow) call into these functions; views, jobs and the
process_proposal_deadlines command do too. Every step updates the proposal's stage,
records a ProposalEvent (who, when, why) and tells the people concerned.
"""

from datetime import timedelta

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.actions.publish_page_revision import PublishPageRevisionAction
from wagtail.models import Site, TaskState, Workflow, WorkflowPage, WorkflowState, WorkflowTask

from cms.jobs import enqueue, enqueue_at
from cms.models import MunicipalitySettings
from participation import satisfaction
from participation.models import (
    CommitteeTask,
    Follow,
    ModerationAction,
    ModerationTask,
    ParticipationSettings,
    ProposalEvent,
    ProposalIndexPage,
    ProposalPage,
    Support,
    SupportsTask,
)
from participation.notify import notify
from participation.signals import put_to_vote

Stage = ProposalPage.Stage
Kind = ProposalEvent.Kind


# Setting a municipality up -------------------------------------------------------------


def ensure_groups(site):
    """The municipality's moderator and committee groups, created and linked if missing."""
    config = ParticipationSettings.for_site(site)
    name = MunicipalitySettings.for_site(site).name_ko or site.site_name or site.hostname
    access_admin = Permission.objects.get(
        content_type__app_label="wagtailadmin", codename="access_admin"
    )
    changed = False
    if config.moderators_group is None:
        config.moderators_group, _created = Group.objects.get_or_create(name=f"{name} 모더레이터")
        changed = True
    if config.committee_group is None:
        config.committee_group, _created = Group.objects.get_or_create(name=f"{name} 위원회")
        changed = True
    if changed:
        config.save()
    for group in (config.moderators_group, config.committee_group):
        group.permissions.add(access_admin)
    return config.moderators_group, config.committee_group


def ensure_workflow(site):
    """The municipality's proposal workflow, its three tasks, assigned to its proposals index.

    Staff can reassign or edit it afterwards under Settings > Workflows.
    """
    moderators, committee = ensure_groups(site)
    name = MunicipalitySettings.for_site(site).name_ko or site.site_name or site.hostname
    workflow, created = Workflow.objects.get_or_create(name=f"{name} 시민 제안")
    if created or not workflow.workflow_tasks.exists():
        moderation = ModerationTask.objects.create(name=f"{name} 제안 검토")
        moderation.groups.set([moderators])
        supports = SupportsTask.objects.create(name=f"{name} 공감 모으기")
        review = CommitteeTask.objects.create(name=f"{name} 위원회 심의")
        review.groups.set([committee])
        for order, task in enumerate([moderation, supports, review]):
            WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=order)
    index = ProposalIndexPage.objects.descendant_of(site.root_page).first()
    if index is not None and not WorkflowPage.objects.filter(page=index).exists():
        WorkflowPage.objects.create(page=index, workflow=workflow)
    return workflow


def site_of(proposal):
    return proposal.get_site() or Site.objects.get(is_default_site=True)


def _moderators(site):
    group = ParticipationSettings.for_site(site).moderators_group
    return list(group.user_set.filter(is_active=True)) if group else []


def _committee(site):
    group = ParticipationSettings.for_site(site).committee_group
    return list(group.user_set.filter(is_active=True)) if group else []


def _audience(proposal):
    """The author and the proposal's followers."""
    return [proposal.author, *Follow.followers(proposal)]


def _lock(proposal, *stages):
    """Lock the proposal's row until the transaction ends and re-read its stage.

    Every transition starts here, so of two requests racing to make the same change the
    second sees the first one's stage and is refused (PermissionDenied): each change, its
    event and its notifications happen once.
    """
    stage = (
        ProposalPage.objects.select_for_update()
        .filter(pk=proposal.pk)
        .values_list("stage", flat=True)
        .first()
    )
    if stage is None or (stages and stage not in stages):
        raise PermissionDenied
    proposal.stage = stage
    return proposal


# The citizen's side --------------------------------------------------------------------


@transaction.atomic
def submit(proposal, user):
    """Start the municipality's workflow on a draft (or resubmit after changes were requested)."""
    _lock(proposal, Stage.DRAFT, Stage.CHANGES_REQUESTED)
    if proposal.stage == Stage.CHANGES_REQUESTED:
        state = proposal.current_workflow_state
        proposal.set_state(stage=Stage.MODERATION, moderation_note="")
        proposal.record(Kind.SUBMITTED, actor=user, note=_("Resubmitted after changes"))
        if state and state.status == WorkflowState.STATUS_NEEDS_CHANGES:
            state.resume(user=user)
        notify(_moderators(site_of(proposal)), "moderation_requested", proposal)
        return
    if proposal.stage != Stage.DRAFT:
        raise PermissionDenied
    site = site_of(proposal)
    workflow = proposal.get_workflow() or ensure_workflow(site)
    proposal.set_state(stage=Stage.MODERATION, submitted_at=timezone.now())
    proposal.record(Kind.SUBMITTED, actor=user)
    workflow.start(proposal, user)
    notify([user], "submitted", proposal)
    notify(_moderators(site), "moderation_requested", proposal)


@transaction.atomic
def withdraw(proposal, user, reason, note=""):
    _lock(proposal, *ProposalPage.WITHDRAWABLE_STAGES)
    proposal.set_state(
        stage=Stage.WITHDRAWN,
        withdrawal_reason=reason,
        withdrawal_note=note,
        closed_at=timezone.now(),
    )
    label = ProposalPage.WithdrawalReason(reason).label
    proposal.record(Kind.WITHDRAWN, actor=user, note=f"{label}. {note}".strip(" ."))
    state = proposal.current_workflow_state
    if state is not None:
        state.cancel(user=user)
    notify(Follow.followers(proposal), "withdrawn", proposal, note=label)


# Workflow steps ------------------------------------------------------------------------


class _PublishWithinWorkflow(PublishPageRevisionAction):
    """Publish without ending the workflow: moderation makes a proposal live, review comes later."""

    def _after_publish(self):
        # Wagtail cancels the in-progress workflow on publish; hide it from that step only.
        self.object._current_workflow_states = []
        super()._after_publish()


@transaction.atomic
def moderate(proposal, task_state, user, action, comment=""):
    _lock(proposal, Stage.MODERATION)
    site = site_of(proposal)
    now = timezone.now()
    if action == "approve":
        _PublishWithinWorkflow(proposal.get_latest_revision(), user=user).execute(
            skip_permission_checks=True
        )
        proposal.refresh_from_db()
        municipality = MunicipalitySettings.for_site(site)
        deadline = now + timedelta(days=municipality.support_window_days)
        proposal.set_state(
            stage=Stage.COLLECTING,
            published_at=now,
            support_deadline=deadline,
            support_threshold=municipality.support_threshold,
            moderation_note="",
        )
        proposal.record(Kind.PUBLISHED, actor=user, note=comment)
        ModerationAction.log(site, ModerationAction.Action.APPROVE, user, comment, target=proposal)
        task_state.approve(user=user, comment=comment)
        notify([proposal.author], "published", proposal)
        schedule_check(proposal, deadline)
    elif action == "request_changes":
        proposal.set_state(stage=Stage.CHANGES_REQUESTED, moderation_note=comment)
        proposal.record(Kind.CHANGES_REQUESTED, actor=user, note=comment, public=False)
        ModerationAction.log(
            site, ModerationAction.Action.REQUEST_CHANGES, user, comment, target=proposal
        )
        task_state.reject(user=user, comment=comment)
        notify([proposal.author], "changes_requested", proposal, note=comment)
    elif action == "reject":
        proposal.set_state(stage=Stage.REJECTED, moderation_note=comment, closed_at=now)
        proposal.record(Kind.REJECTED, actor=user, note=comment, public=False)
        ModerationAction.log(site, ModerationAction.Action.REJECT, user, comment, target=proposal)
        task_state.reject(user=user, comment=comment)
        task_state.workflow_state.refresh_from_db()
        task_state.workflow_state.cancel(user=user)
        notify([proposal.author], "rejected", proposal, note=comment)
    else:
        raise PermissionDenied


@transaction.atomic
def decide(proposal, task_state, user, decision, answer):
    """The committee's decision and public answer; returns the draft poll if put to a vote."""
    _lock(proposal, Stage.REVIEW)
    site = site_of(proposal)
    now = timezone.now()
    poll = None
    if decision == Stage.PUT_TO_VOTE:
        # Not closed: the public decides next, on a poll staff finish and publish.
        responses = put_to_vote.send(
            sender=ProposalPage,
            proposal=proposal,
            site=site,
            user=user,
            committee=ParticipationSettings.for_site(site).committee_group,
        )
        poll = next((poll for _receiver, poll in responses if poll is not None), None)
        proposal.set_state(stage=Stage.PUT_TO_VOTE, answer=answer, answered_at=now)
        proposal.record(Kind.PUT_TO_VOTE, actor=user, note=answer)
    else:
        proposal.set_state(stage=Stage(decision), answer=answer, answered_at=now, closed_at=now)
        proposal.record(Kind.ANSWERED, actor=user, note=answer)
    ModerationAction.log(
        site,
        ModerationAction.Action.DECIDE,
        user,
        f"{Stage(decision).label}: {answer}",
        target=proposal,
    )
    task_state.approve(user=user, update=False, comment=answer)
    # The workflow ends here and Wagtail publishes the latest revision; the decision is
    # the committee's, the publication is the system's (members need no publish permission).
    task_state.workflow_state.update(user=None)
    notify(_audience(proposal), "answered", proposal, note=answer)
    if poll is None and decision != Stage.PUT_TO_VOTE:
        # Put to a vote, it is rated when the poll's result is out (by the poll's voters).
        satisfaction.invite_after_answer(proposal)
    return poll


def _current_supports_state(proposal):
    return (
        TaskState.objects.for_instance(proposal)
        .filter(status=TaskState.STATUS_IN_PROGRESS, task__content_type__model="supportstask")
        .select_related("workflow_state")
        .first()
    )


def check_proposal(proposal_id):
    """Move a collecting proposal on once it reaches its threshold or its window closes."""
    with transaction.atomic():
        proposal = ProposalPage.objects.select_for_update().filter(pk=proposal_id).first()
        if proposal is None or proposal.stage != Stage.COLLECTING:
            return None
        count = Support.recount(proposal.pk)
        proposal.support_count = count
        now = timezone.now()
        task_state = _current_supports_state(proposal)
        if count >= proposal.support_threshold:
            days = ParticipationSettings.for_site(site_of(proposal)).committee_days
            proposal.set_state(
                stage=Stage.REVIEW,
                threshold_reached_at=now,
                review_due_at=now + timedelta(days=days),
            )
            proposal.record(Kind.THRESHOLD_REACHED, note=str(count))
            proposal.record(Kind.REVIEW_STARTED)
            if task_state is not None:
                task_state.approve(user=None, comment=_("%(count)s supports") % {"count": count})
            site = site_of(proposal)
            notify(_audience(proposal), "threshold_reached", proposal)
            notify(_committee(site), "review_requested", proposal)
        elif proposal.support_deadline and proposal.support_deadline <= now:
            proposal.set_state(stage=Stage.LAPSED, closed_at=now)
            proposal.record(Kind.LAPSED, note=str(count))
            if task_state is not None:
                task_state.reject(user=None, update=False, comment=_("The support window closed"))
                task_state.workflow_state.cancel(user=None)
            notify(_audience(proposal), "lapsed", proposal)
        return proposal.stage


def process_due(queryset=None):
    """Check every collecting proposal that is due; returns how many moved on."""
    queryset = queryset if queryset is not None else ProposalPage.objects.all()
    moved = 0
    for pk in list(queryset.due_for_check().values_list("pk", flat=True)):
        if check_proposal(pk) != Stage.COLLECTING:
            moved += 1
    return moved


def schedule_check(proposal, when):
    """With Redis, rq's scheduler closes the window on time; pages and the command re-check."""
    from django.conf import settings

    if settings.REDIS_URL:
        enqueue_at(when, check_proposal, proposal.pk)


def after_support(proposal):
    if proposal.support_count >= proposal.support_threshold:
        enqueue(check_proposal, proposal.pk)


@transaction.atomic
def implementation_posted(proposal, update):
    """Staff posted progress on an adopted proposal: put it on the timeline and tell people."""
    note = f"{update.get_status_display()} · {update.progress}% — {update.note}"
    ProposalEvent.objects.create(
        proposal=proposal,
        kind=Kind.IMPLEMENTATION,
        actor=update.created_by,
        note=update.note,
        implementation_update=update,
    )
    ModerationAction.log(
        site_of(proposal),
        ModerationAction.Action.IMPLEMENTATION,
        update.created_by,
        note,
        target=proposal,
    )
    if update.status == update.Status.COMPLETED and proposal.stage in (
        Stage.ADOPTED,
        Stage.PARTLY_ADOPTED,
    ):
        proposal.set_state(stage=Stage.IMPLEMENTED)
    notify(_audience(proposal), "implementation", proposal, note=note)
