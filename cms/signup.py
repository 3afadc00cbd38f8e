"""allauth's sign-up form, safe when the same address signs up twice at the same moment.

Both requests pass the form's "address already taken" check; the database's unique
constraint lets one in. The other gets the answer allauth gives any known address (a mail
to the owner, the usual "check your inbox" page), never a server error.
"""

from allauth.account.forms import SignupForm
from django.db import IntegrityError, transaction


class AccountSignupForm(SignupForm):
    def try_save(self, request):
        try:
            with transaction.atomic():
                return super().try_save(request)
        except IntegrityError:
            self.account_already_exists = True
            return super().try_save(request)
