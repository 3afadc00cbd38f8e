"""Participation models: proposals and their workflow, plus the generic supports, follows,
notifications, reports and blocks that other participation features reuse."""

from participation.models.config import Area, ParticipationSettings, Topic
from participation.models.follows import Follow
from participation.models.notifications import EmailPreference, Notification
from participation.models.proposals import (
    ImplementationUpdate,
    ProposalEvent,
    ProposalFile,
    ProposalIndexPage,
    ProposalPage,
)
from participation.models.reports import ModerationAction, Report, UserBlock, set_hidden
from participation.models.supports import Support, SupportClosed
from participation.models.workflow import CommitteeTask, ModerationTask, SupportsTask

__all__ = [
    "Area",
    "CommitteeTask",
    "EmailPreference",
    "Follow",
    "ImplementationUpdate",
    "ModerationAction",
    "ModerationTask",
    "Notification",
    "ParticipationSettings",
    "ProposalEvent",
    "ProposalFile",
    "ProposalIndexPage",
    "ProposalPage",
    "Report",
    "Support",
    "SupportClosed",
    "SupportsTask",
    "Topic",
    "UserBlock",
    "set_hidden",
]
