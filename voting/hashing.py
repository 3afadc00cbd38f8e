"""How identifiers and receipt codes are hashed. The census recipe is public on purpose.

Census identifiers
------------------
A municipality never gives us raw identity numbers. It gives a CSV of hashes::

    identifier_hash = HMAC-SHA256(key=<census key>, message=<normalised identifier>)

written as 64 lower-case hexadecimal characters, where

* ``<census key>`` is the key shown to staff in the site's "Voting and eligibility"
  settings, encoded as UTF-8;
* ``<normalised identifier>`` is the identifier (e.g. a resident registration number)
  with Unicode NFKC normalisation, all whitespace and hyphens removed and letters in
  capitals, encoded as UTF-8. ``900101-1234567`` and ``9001011234567`` hash alike.

With Python::

    import hmac, hashlib, unicodedata, re
    ident = re.sub(r"[\\s\\-]", "", unicodedata.normalize("NFKC", raw)).upper()
    hmac.new(key.encode(), ident.encode(), hashlib.sha256).hexdigest()

or in a shell: ``printf %s 9001011234567 | openssl dgst -sha256 -hmac "$KEY"``.

Receipt codes
-------------
A receipt is 16 random characters from an unambiguous alphabet, shown to the voter once
as ``XXXX-XXXX-XXXX-XXXX``. Only ``HMAC-SHA256(SECRET_KEY-derived key, code)`` is stored,
so neither the code nor the person can be recovered from the database.
"""

import hashlib
import hmac
import re
import secrets
import unicodedata

from django.utils.crypto import salted_hmac

HEX64 = re.compile(r"^[0-9a-f]{64}$")
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 16


def normalise_identifier(raw):
    return re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", raw or "")).upper()


def census_hash(key, raw):
    message = normalise_identifier(raw).encode()
    return hmac.new(key.encode(), message, hashlib.sha256).hexdigest()


def new_receipt():
    code = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))
    return "-".join(code[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def normalise_receipt(raw):
    """The receipt as printed (XXXX-XXXX-XXXX-XXXX), or "" if it cannot be one."""
    code = re.sub(r"[\s\-]", "", unicodedata.normalize("NFKC", raw or "")).upper()
    if len(code) != RECEIPT_LENGTH or any(c not in RECEIPT_ALPHABET for c in code):
        return ""
    return "-".join(code[i : i + 4] for i in range(0, RECEIPT_LENGTH, 4))


def receipt_hash(code):
    return salted_hmac("voting.receipt", normalise_receipt(code), algorithm="sha256").hexdigest()
