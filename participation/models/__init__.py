"""Participation models: proposals and their workflow, debates, plus the generic comments,
supports, follows, notifications, reports and blocks that other participation features reuse."""

from participation.models.comments import (
    Comment,
    Commentable,
    CommentVote,
    DiscussionSettings,
    Position,
)
from participation.models.config import Area, ParticipationSettings, Topic
from participation.models.debates import DebateIndexPage, DebatePage, DebateVote
from participation.models.follows import Follow
from participation.models.implementation import ImplementationTracked, ImplementationUpdate
from participation.models.notifications import EmailPreference, Notification
from participation.models.proposals import (
    ProposalEvent,
    ProposalFile,
    ProposalIndexPage,
    ProposalPage,
)
from participation.models.reports import ModerationAction, Report, UserBlock, set_hidden
from participation.models.satisfaction import (
    PageFeedback,
    SatisfactionInvitation,
    SatisfactionRating,
)
from participation.models.supports import Support, SupportClosed, SupportRefused
from participation.models.workflow import CommitteeTask, ModerationTask, SupportsTask

__all__ = [
    "Area",
    "Comment",
    "CommentVote",
    "Commentable",
    "CommitteeTask",
    "DebateIndexPage",
    "DebatePage",
    "DebateVote",
    "DiscussionSettings",
    "EmailPreference",
    "Follow",
    "ImplementationTracked",
    "ImplementationUpdate",
    "ModerationAction",
    "ModerationTask",
    "Notification",
    "PageFeedback",
    "ParticipationSettings",
    "Position",
    "ProposalEvent",
    "ProposalFile",
    "ProposalIndexPage",
    "ProposalPage",
    "Report",
    "SatisfactionInvitation",
    "SatisfactionRating",
    "Support",
    "SupportClosed",
    "SupportRefused",
    "SupportsTask",
    "Topic",
    "UserBlock",
    "set_hidden",
]
