"""Views of the comment thread, routed through each commentable page (Commentable's routes).

The first screen of any page costs a fixed number of queries, however long the discussion:
one aggregate (total and position balance), one for the batch of top-level comments with
their authors, one for the first replies of those threads (window function, by root id),
and one for the reader's own votes. Further batches load on demand (?cpage=), with htmx
swapping them in and a plain link without JavaScript.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count, F, Q, Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Site

from cms.redirects import redirect_next
from participation import permissions, ratelimit
from participation.forms import CommentForm
from participation.models import Comment, CommentVote, DiscussionSettings, Position
from participation.notify import notify

PER_PAGE = 20
REPLIES_SHOWN = 10
THREAD_LIMIT = 1000
MAX_PAGE = 10000


def _sort_choices():
    return [("best", _("Best")), ("newest", _("Newest")), ("oldest", _("Oldest"))]


def _sort(request):
    sort = request.GET.get("csort", "")
    return sort if sort in Comment.SORTS else "best"


def _number(request):
    try:
        return min(max(int(request.GET.get("cpage", 1)), 1), MAX_PAGE)
    except (TypeError, ValueError):
        return 1


class Viewer:
    """Who is reading, and what they may do; answers are cached on the user object."""

    def __init__(self, request, page):
        self.request = request
        self.user = request.user
        self.site = Site.find_for_request(request)
        self.config = DiscussionSettings.for_request(request)
        self.page = page
        self.can_comment = permissions.can_comment(self.user, page, self.site)
        self.can_write = permissions.can_write(self.user, self.site)
        self.now = timezone.now()

    def decorate(self, comments, votes):
        for comment in comments:
            comment.my_vote = votes.get(comment.pk, 0)
            comment.can_edit = permissions.can_edit_comment(
                self.user, comment, self.config.edit_window_minutes, self.now
            )
            comment.can_delete = permissions.can_delete_comment(self.user, comment, self.site)
            comment.can_vote = self.can_write and permissions.can_vote_comment(
                self.user, comment, self.site
            )
            comment.can_reply = (
                self.can_comment and comment.depth < 2 and not comment.is_deleted
            ) and not comment.hidden
            comment.can_report = (
                self.can_write
                and not comment.is_deleted
                and not comment.hidden
                and comment.author_id != self.user.pk
            )
            comment.children = []

    def votes_for(self, ids):
        if not self.user.is_authenticated or not ids:
            return {}
        return dict(
            CommentVote.objects.filter(user=self.user, comment_id__in=ids).values_list(
                "comment_id", "value"
            )
        )


def _attach(tops, replies):
    by_id = {comment.pk: comment for comment in tops}
    for reply in replies:
        by_id[reply.pk] = reply
        parent = by_id.get(reply.parent_id)
        if parent is not None:
            parent.children.append(reply)
    for top in tops:
        top.shown_replies = sum(1 for c in replies if c.root_id == top.pk)
        top.more_replies = max(0, top.thread_reply_count - top.shown_replies)


EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.UTC)


def _cursor(comment):
    """Where the next batch starts: the last shown comment's sort key (score, time, id)."""
    micros = (comment.created_at - EPOCH) // datetime.timedelta(microseconds=1)
    return f"{comment.score}_{micros}_{comment.pk}"


def _after(request):
    """The parsed `cafter` cursor, or None (missing or not one of ours: start by number)."""
    try:
        score, micros, pk = (int(part) for part in request.GET.get("cafter", "").split("_"))
        return score, EPOCH + datetime.timedelta(microseconds=micros), pk
    except (TypeError, ValueError, OverflowError):
        return None


def _past(sort, after):
    """Comments after the cursor in this sort's order (keyset pagination, no OFFSET)."""
    score, created_at, pk = after
    if sort == "oldest":
        return Q(created_at__gt=created_at) | Q(created_at=created_at, id__gt=pk)
    later = Q(created_at__lt=created_at) | Q(created_at=created_at, id__lt=pk)
    if sort == "newest":
        return later
    return Q(score__lt=score) | (Q(score=score) & later)


def load_batch(viewer, sort, number, after=None):
    """One batch of top-level comments with the first replies of each thread.

    With a cursor (`after`, from the "show more" link) the batch starts right after the last
    comment shown, read straight from the index, so batch 300 costs what the first one does;
    without one (an old link), from its number.
    """
    tops = Comment.objects.on(viewer.page).top_level().select_related("author").sorted(sort)
    if after is not None:
        tops = list(tops.filter(_past(sort, after))[: PER_PAGE + 1])
    else:
        offset = (number - 1) * PER_PAGE
        tops = list(tops[offset : offset + PER_PAGE + 1])
    has_next = len(tops) > PER_PAGE
    tops = tops[:PER_PAGE]
    replies = []
    if tops:
        replies = list(
            Comment.objects.filter(root_id__in=[c.pk for c in tops])
            .select_related("author")
            .annotate(
                row=Window(
                    RowNumber(),
                    partition_by=[F("root_id")],
                    order_by=[F("created_at").asc(), F("id").asc()],
                )
            )
            .filter(row__lte=REPLIES_SHOWN)
            .order_by("created_at", "id")
        )
    everything = tops + replies
    viewer.decorate(everything, viewer.votes_for([c.pk for c in everything]))
    _attach(tops, replies)
    return {
        "comments": tops,
        "has_next": has_next,
        "next_number": number + 1,
        "next_cursor": _cursor(tops[-1]) if has_next else "",
    }


def page_counts(page, with_positions):
    """Total shown comments and, where asked, the for/against/neutral balance: one query."""
    aggregates = {"total": Count("pk")}
    if with_positions:
        for choice in Position:
            aggregates[choice.value] = Count("pk", filter=Q(depth=0, position=choice.value))
    counts = Comment.objects.on(page).shown().aggregate(**aggregates)
    balance = None
    if with_positions:
        positioned = sum(counts[choice.value] for choice in Position)
        rows = []
        for choice in Position:
            count = counts[choice.value]
            percent = round(100 * count / positioned) if positioned else 0
            rows.append(
                {
                    "value": choice.value,
                    "label": choice.label,
                    "count": count,
                    "percent": percent,
                    "step": 5 * round(percent / 5),
                }
            )
        balance = {"total": positioned, "rows": rows}
    return counts["total"], balance


def _base_urls(page, request):
    page_url = page.get_url(request)
    return {"page_url": page_url, "comments_base": f"{page_url}comments/"}


def _form(viewer, data=None, *, top_level=True):
    return CommentForm(
        data,
        max_length=viewer.config.comment_max_length,
        positions=top_level and viewer.page.comment_positions,
        auto_id="comment-%s",
    )


def thread_context(request, page, *, form=None):
    viewer = Viewer(request, page)
    sort, number = _sort(request), _number(request)
    total, balance = page_counts(page, page.comment_positions)
    context = {
        "request": request,
        "page": page,
        "user": request.user,
        "viewer": viewer,
        "sort": sort,
        "sorts": _sort_choices(),
        "number": number,
        "total": total,
        "balance": balance,
        "form": form or _form(viewer),
        "max_length": viewer.config.comment_max_length,
        "login_url": redirect_to_login(request.get_full_path()).url,
        **_base_urls(page, request),
        **load_batch(viewer, sort, number, _after(request)),
    }
    return context


def _fragment(request, template, context, status=200):
    return TemplateResponse(request, template, context, status=status)


def comments_batch(request, page):
    """The next batch: a fragment for htmx; without JavaScript, the page itself shows it."""
    if not request.htmx:
        query = request.GET.urlencode()
        return redirect(f"{page.get_url(request)}{'?' + query if query else ''}#comments")
    viewer = Viewer(request, page)
    sort, number = _sort(request), _number(request)
    context = {
        "page": page,
        "viewer": viewer,
        "sort": sort,
        "max_length": viewer.config.comment_max_length,
        **_base_urls(page, request),
        **load_batch(viewer, sort, number, _after(request)),
    }
    return _fragment(request, "participation/comments/batch.html", context)


def _comment(page, comment_id):
    return get_object_or_404(
        Comment.objects.select_related("author"), pk=comment_id, page_id=page.pk
    )


def comment_thread(request, page, comment_id):
    """One whole thread on its own page: where 'show all replies' and reply redirects land."""
    comment = _comment(page, comment_id)
    root = comment if comment.root_id is None else _comment(page, comment.root_id)
    viewer = Viewer(request, page)
    replies = list(
        Comment.objects.filter(root=root)
        .select_related("author")
        .order_by("created_at", "id")[:THREAD_LIMIT]
    )
    everything = [root, *replies]
    viewer.decorate(everything, viewer.votes_for([c.pk for c in everything]))
    _attach([root], replies)
    root.more_replies = 0
    context = {
        "page": page,
        "viewer": viewer,
        "root": root,
        "max_length": viewer.config.comment_max_length,
        **_base_urls(page, request),
    }
    return TemplateResponse(request, "participation/comments/thread_page.html", context)


def _writer_refusal(request, viewer):
    if not request.user.is_authenticated:
        return redirect_to_login(viewer.page.get_url(request))
    if not viewer.can_write:
        if permissions.is_blocked(request.user, viewer.site):
            message = _("Your account is blocked from taking part. You can still read everything.")
        else:
            message = _("Verify your email address before taking part.")
        messages.error(request, message)
        return redirect(viewer.page.get_url(request))
    return None


def _notify_comment(page, comment, parent):
    note = comment.body[:300]
    commenter = comment.author_id
    parent_author = parent.author if parent is not None else None
    if parent_author is not None and parent_author.pk != commenter:
        notify([parent_author], "comment_reply", comment, note)
    page_author = getattr(page, "author", None)
    if (
        page_author is not None
        and page_author.pk != commenter
        and (parent_author is None or parent_author.pk != page_author.pk)
    ):
        notify([page_author], "comment", comment, note)


def post_comment(request, page):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    viewer = Viewer(request, page)
    refusal = _writer_refusal(request, viewer)
    if refusal is not None:
        return refusal
    parent = None
    parent_id = request.POST.get("parent", "")
    if parent_id:
        if not parent_id.isdigit():
            raise Http404
        parent = _comment(page, int(parent_id))
    form = _form(viewer, request.POST, top_level=parent is None)
    status = 400
    if not viewer.page.comments_open():
        form.is_valid()
        form.add_error(None, _("This discussion is closed to new comments."))
    elif parent is not None and (parent.is_deleted or parent.hidden):
        form.is_valid()
        form.add_error(None, _("This comment can no longer be answered."))
    elif form.is_valid():
        verdict = ratelimit.take(request.user, "write", viewer.config)
        if not verdict:
            status, limit = 429, verdict.limit
            if verdict.is_new:
                message = _(
                    "New accounts can post %(n)d comment a minute. "
                    "Wait a moment, then post again: your text is kept below."
                ) % {"n": limit}
            else:
                message = _(
                    "You have posted %(n)d comments in the last minute. "
                    "Wait a moment, then post again: your text is kept below."
                ) % {"n": limit}
            form.add_error(None, message)
        else:
            # The comment and the notifications it owes commit together: a connection lost
            # in between leaves neither (participation.notify).
            with transaction.atomic():
                comment = Comment.post(
                    page,
                    request.user,
                    form.cleaned_data["body"],
                    parent=parent,
                    position=form.cleaned_data.get("position", ""),
                )
                _notify_comment(page, comment, comment.parent)
            return _posted(request, viewer, comment)
    if request.htmx:
        return _fragment(
            request,
            "participation/comments/form.html",
            {
                "form": form,
                "parent": parent,
                "viewer": viewer,
                "page": page,
                "max_length": viewer.config.comment_max_length,
                **_base_urls(page, request),
            },
        )
    return TemplateResponse(
        request,
        "participation/comments/form_page.html",
        {
            "page": page,
            "form": form,
            "parent": parent,
            "viewer": viewer,
            "max_length": viewer.config.comment_max_length,
            **_base_urls(page, request),
        },
        status=status,
    )


def _posted(request, viewer, comment):
    page = viewer.page
    urls = _base_urls(page, request)
    if not request.htmx:
        messages.success(request, _("Your comment is posted."))
        if comment.root_id:
            return redirect(f"{urls['comments_base']}{comment.root_id}/#comment-{comment.pk}")
        return redirect(f"{urls['page_url']}?csort=newest#comment-{comment.pk}")
    comment.author = request.user
    viewer.decorate([comment], {})
    comment.more_replies = 0
    parent = comment.parent if comment.parent_id else None
    context = {
        "page": page,
        "viewer": viewer,
        "comment": comment,
        "parent": parent,
        "form": _form(viewer, top_level=parent is None),
        "posted": True,
        "max_length": viewer.config.comment_max_length,
        **urls,
    }
    return _fragment(request, "participation/comments/posted.html", context)


VOTE_VALUES = {"up": 1, "down": -1, "clear": 0}


def vote_comment(request, page, comment_id):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    viewer = Viewer(request, page)
    comment = _comment(page, comment_id)
    refusal = _writer_refusal(request, viewer)
    if refusal is not None:
        return refusal
    value = VOTE_VALUES.get(request.POST.get("value"))
    urls = _base_urls(page, request)
    fallback = f"{urls['page_url']}#comment-{comment.pk}"
    status = 200
    if value is None:
        message, status = _("Choose agree or disagree."), 400
    elif not permissions.can_vote_comment(request.user, comment, viewer.site):
        message, status = _("You cannot vote on this comment."), 403
    else:
        CommentVote.cast(comment, request.user, value)
        message = _("Your vote is counted.") if value else _("Your vote was withdrawn.")
    if request.htmx:
        comment.refresh_from_db(fields=["up_count", "down_count", "score"])
        viewer.decorate([comment], viewer.votes_for([comment.pk]))
        return _fragment(
            request,
            "participation/comments/votes.html",
            {"comment": comment, "vote_message": message, **urls},
            status=200 if status == 200 else status,
        )
    (messages.success if status == 200 else messages.error)(request, message)
    return redirect_next(request, fallback)


def edit_comment(request, page, comment_id):
    viewer = Viewer(request, page)
    comment = _comment(page, comment_id)
    refusal = _writer_refusal(request, viewer)
    if refusal is not None:
        return refusal
    if comment.author_id != request.user.pk:
        raise Http404
    urls = _base_urls(page, request)
    back = f"{urls['comments_base']}{comment.root_id or comment.pk}/#comment-{comment.pk}"
    if not permissions.can_edit_comment(request.user, comment, viewer.config.edit_window_minutes):
        messages.error(
            request,
            _("Comments can be edited for %(n)d minutes after posting. You can still delete it.")
            % {"n": viewer.config.edit_window_minutes},
        )
        return redirect(back)
    top_level = comment.depth == 0
    data = request.POST if request.method == "POST" else None
    form = _form(
        viewer,
        data,
        top_level=top_level,
    )
    if data is None:
        form.initial = {"body": comment.body, "position": comment.position}
    if data is not None and form.is_valid():
        fields = {"body": form.cleaned_data["body"], "edited_at": timezone.now()}
        if top_level and "position" in form.cleaned_data:
            fields["position"] = form.cleaned_data["position"]
        Comment.objects.filter(pk=comment.pk).update(**fields)
        messages.success(request, _("Your comment is updated."))
        return redirect(back)
    return TemplateResponse(
        request,
        "participation/comments/edit_page.html",
        {"page": page, "form": form, "comment": comment, "back_url": back, **urls},
        status=400 if data is not None else 200,
    )


def delete_comment(request, page, comment_id):
    viewer = Viewer(request, page)
    comment = _comment(page, comment_id)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not permissions.can_delete_comment(request.user, comment, viewer.site):
        raise Http404
    urls = _base_urls(page, request)
    back = f"{urls['comments_base']}{comment.root_id or comment.pk}/#comment-{comment.pk}"
    if request.method == "POST":
        comment.soft_delete()
        if comment.author_id != request.user.pk:
            from participation.models import ModerationAction

            ModerationAction.log(
                viewer.site,
                ModerationAction.Action.HIDE,
                request.user,
                _("Comment deleted by a moderator"),
                target=comment,
            )
        messages.success(request, _("The comment is deleted."))
        return redirect(back)
    return TemplateResponse(
        request,
        "participation/comments/delete_page.html",
        {"page": page, "comment": comment, "back_url": back, **urls},
    )


def report_comment(request, page, comment_id):
    from participation.views import report

    comment = _comment(page, comment_id)
    return report(request, page, ContentType.objects.get_for_model(Comment).pk, comment.pk)


def render_comment(request, comment, context):
    return render_to_string(
        "participation/comments/comment.html", {**context, "comment": comment}, request
    )
