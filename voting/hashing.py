"""How census identities and CI values are hashed. The census recipe is public.

Census identities
-----------------
A municipality gives us a CSV of hashes of what it may lawfully hold about a resident:
their name, date of birth and an address or household code. Never the resident
registration number (PIPA art. 24-2)::

    message       = NFKC(name) "|" YYYY-MM-DD "|" NFKC(code), without whitespace, hyphens,
                    dots, commas or parentheses, letters in capitals, UTF-8
    identity_hash = hex(scrypt(password = HMAC-SHA256(CENSUS_KEY, message),
                               salt = the site's census salt (UTF-8),
                               n = 2**14, r = 8, p = 1, dklen = 32))

* ``CENSUS_KEY`` lives in the environment (or a secret store), never in the database:
  a dump of the database alone cannot be brute-forced, whatever the size of the space.
* The scrypt step makes every guess cost memory and time even for someone who holds the
  key as well (about 50-150 ms and 16 MB per guess).
* The salt is per municipality (shown to staff, not secret): the same person in two
  municipalities' censuses gets unrelated hashes.

``manage.py hash_census --site HOST plain.csv > hashed.csv`` applies it offline.

CI (connecting information)
---------------------------
A certified identity provider returns the person's CI. We keep only
``HMAC-SHA256(key derived from CENSUS_KEY, "ci|" + CI)``, enough to refuse a second
account for the same person, useless to anyone without the key.

Receipt codes are hashed in voting/secrecy.py, with a key kept outside the database.
"""

import hashlib
import hmac
import re
import secrets
import unicodedata

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

HEX64 = re.compile(r"^[0-9a-f]{64}$")
SCRYPT = {"n": 2**14, "r": 8, "p": 1, "dklen": 32, "maxmem": 64 * 1024 * 1024}
_DROPPED = re.compile(r"[\s\-.,()·]")


def normalise_part(raw):
    return _DROPPED.sub("", unicodedata.normalize("NFKC", str(raw or ""))).upper()


def census_message(name, birth_date, code):
    return "|".join([normalise_part(name), birth_date.isoformat(), normalise_part(code)])


def census_key():
    """The installation's census key, from the environment (settings.CENSUS_KEY).

    Development and tests fall back to a key derived from SECRET_KEY (see cms/settings);
    production settings refuse to start without one.
    """
    key = getattr(settings, "CENSUS_KEY", "")
    if not key:
        raise ImproperlyConfigured("CENSUS_KEY is not set.")
    return key


def census_hash(name, birth_date, code, salt, key=None):
    """The identity hash of one resident, as the municipality's CSV must carry it."""
    key = census_key() if key is None else key
    password = hmac.new(
        key.encode(), census_message(name, birth_date, code).encode(), hashlib.sha256
    ).digest()
    return hashlib.scrypt(password, salt=salt.encode(), **SCRYPT).hex()


def ci_hash(ci, key=None):
    """A keyed hash of a person's CI: one CI, one account, nothing reversible."""
    key = census_key() if key is None else key
    return hmac.new(key.encode(), f"ci|{ci}".encode(), hashlib.sha256).hexdigest()


def new_census_salt():
    return secrets.token_hex(8)
