"""Actions that need no page around them, outside the page tree: no page routing per request.

Mounted under `/-/` (cms/urls.py), a prefix no page slug can take. Each view still answers
only for objects of the site the request came in on.
"""

from django.urls import path

from participation import views

urlpatterns = [
    path("proposals/<int:proposal_id>/support/", views.support_by_id, name="proposal_support"),
]
