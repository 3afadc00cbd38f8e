"""The comment thread as one tag for any commentable page, and how citizen plain text shows."""

from django import template
from django.utils.html import linebreaks, urlize
from django.utils.safestring import mark_safe

register = template.Library()

LINK_REL = 'rel="nofollow ugc noopener"'


@register.filter(is_safe=True)
def citizen_text(text):
    """Plain text made safe: everything escaped, links clickable, line breaks kept.

    urlize escapes the text itself (autoescape=True); quotes in the text become &quot;,
    so the only rel="nofollow" attributes left are the ones urlize wrote.
    """
    html = urlize(text or "", nofollow=True, autoescape=True)
    html = html.replace('rel="nofollow"', LINK_REL)
    return mark_safe(linebreaks(html, autoescape=False))  # noqa: S308 - escaped by urlize


@register.inclusion_tag("participation/comments/section.html", takes_context=True)
def comment_section(context, page):
    from participation.comment_views import thread_context

    request = context["request"]
    return thread_context(request, page)


@register.simple_tag
def form_prefix(parent):
    """Unique ids for the main comment form and each reply form on one page."""
    return f"reply-{parent.pk}" if parent else "comment"
