"""Signals cms sends for the apps built on it (cms imports none of them)."""

from django.dispatch import Signal

# Sent once a new municipality's home page, Site and MunicipalitySettings exist, with
# `site` and `user` (who added it). Each app adds what it needs there (index pages in the
# menu, default topics, groups, workflows), so the municipality works at once.
municipality_created = Signal()
