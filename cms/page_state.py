"""State kept on a page's row apart from its content and revisions.

Counters, stages, reviews and the like change through the site, not through the editor: they
are written straight to the row, and a revision published later keeps the row's values rather
than the ones it was saved with. A page type lists those fields in ``STATE_FIELDS``.
"""


class PageState:
    STATE_FIELDS = ()

    def with_content_json(self, content):
        obj = super().with_content_json(content)
        for name in self.STATE_FIELDS:
            setattr(obj, name, getattr(self, name))
        return obj

    def set_state(self, **fields):
        """Write state fields straight to the row, leaving content and revisions alone."""
        type(self).objects.filter(pk=self.pk).update(**fields)
        for name, value in fields.items():
            setattr(self, name, value)
