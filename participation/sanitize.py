"""Citizen text is sanitised on the way in, against a small allowlist.

Citizens write a small Markdown (paragraphs, **bold**, *italic*, lists, [links](https://…));
markdown-it renders it with raw HTML switched off, then bleach keeps only the allowlist.
"""

import re
from functools import partial
from html.parser import HTMLParser

import bleach
from bleach.linkifier import LinkifyFilter
from markdown_it import MarkdownIt

ALLOWED_TAGS = {"p", "br", "ul", "ol", "li", "strong", "b", "em", "i", "a"}
ALLOWED_ATTRIBUTES = {"a": ["href", "rel"]}
ALLOWED_PROTOCOLS = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"
_TAG = re.compile(r"<[a-zA-Z/!]")
# What clean_citizen_html produces always starts with one of these; anything else is Markdown.
_STORED_HTML = re.compile(r"^<(p|ul|ol)>")


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


# Only what the allowlist keeps: no headings, images, code blocks or tables to be stripped later.
_markdown = MarkdownIt("zero", {"breaks": True}).enable(
    ["emphasis", "list", "link", "newline", "escape", "autolink"]
)


def render_markdown(text):
    return _cleaner.clean(_markdown.render(text))


def clean_citizen_html(text):
    """Markdown (or plain text) becomes sanitised HTML; HTML keeps only the allowlist."""
    text = (text or "").strip()
    if not text:
        return ""
    if not _STORED_HTML.match(text):
        return render_markdown(text)
    return _cleaner.clean(text)


class _MarkdownWriter(HTMLParser):
    """Turns the allowlist's HTML back into the Markdown a citizen edits."""

    MARKS = {"strong": "**", "b": "**", "em": "*", "i": "*"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.lists, self.href = [], [], None

    def handle_starttag(self, tag, attrs):
        if tag in self.MARKS:
            self.out.append(self.MARKS[tag])
        elif tag in ("ul", "ol"):
            self.lists.append([tag, 0])
        elif tag == "li" and self.lists:
            self.lists[-1][1] += 1
            kind, number = self.lists[-1]
            indent = "   " * (len(self.lists) - 1)
            self.out.append(f"\n{indent}{number}. " if kind == "ol" else f"\n{indent}- ")
        elif tag == "br":
            self.out.append("\n")
        elif tag == "a":
            self.href = dict(attrs).get("href", "")
            self.out.append("[")

    def handle_endtag(self, tag):
        if tag in self.MARKS:
            self.out.append(self.MARKS[tag])
        elif tag in ("ul", "ol") and self.lists:
            self.lists.pop()
            if not self.lists:
                self.out.append("\n\n")
        elif tag == "p":
            self.out.append("\n\n")
        elif tag == "a":
            self.out.append(f"]({self.href})")

    def handle_data(self, data):
        # Newlines between tags are the serialiser's layout, not the citizen's text.
        if data.strip() or "\n" not in data:
            self.out.append(data)


def html_to_markdown(html):
    """The Markdown for stored citizen HTML, so editing shows what the citizen typed."""
    if not _STORED_HTML.match(html or ""):
        return html or ""
    writer = _MarkdownWriter()
    writer.feed(html)
    return re.sub(r"\n{3,}", "\n\n", "".join(writer.out)).strip()
