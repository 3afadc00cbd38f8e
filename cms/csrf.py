"""CSRF for forms that anonymous visitors may also send from cacheable pages.

Anonymous pages carry no CSRF token, so that they can be served from the page cache (no
cookie, no ``Vary: Cookie``). A form an anonymous visitor sends there (the language switch,
"was this page helpful?") changes nothing of an account; the same form sent by a signed-in
person does, so it is checked against CSRF as any other.
"""

from functools import wraps

from django.middleware.csrf import CsrfViewMiddleware
from django.views.decorators.csrf import csrf_exempt


def csrf_when_signed_in(view):
    @csrf_exempt
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if request.user.is_authenticated:
            refused = CsrfViewMiddleware(lambda _request: None).process_view(
                request, view, args, kwargs
            )
            if refused is not None:
                return refused
        return view(request, *args, **kwargs)

    return wrapped
