"""Citizen text is sanitised on the way in, against a small allowlist."""

import re
from functools import partial

import bleach
from bleach.linkifier import LinkifyFilter
from django.utils.html import linebreaks

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "a"}
ALLOWED_ATTRIBUTES = {"a": ["href", "rel"]}
ALLOWED_PROTOCOLS = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"
_TAG = re.compile(r"<[a-zA-Z/!]")


def _set_rel(attrs, new=False):
    href = attrs.get((None, "href"), "")
    if not href:
        return None  # drop anchors without a (safe) link target
    attrs[(None, "rel")] = LINK_REL
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[partial(LinkifyFilter, callbacks=[_set_rel], skip_tags={"pre"})],
)


def clean_citizen_html(text):
    """Plain text becomes paragraphs; HTML keeps only paragraphs, lists, bold, italic and links."""
    text = (text or "").strip()
    if not text:
        return ""
    if not _TAG.search(text):
        text = linebreaks(text, autoescape=True)
    return _cleaner.clean(text)
