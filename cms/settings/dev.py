"""Local development and the demo: embedded defaults, nothing else to install."""

import hashlib

from .base import *

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-6c1f0b1e9a5d4c7f8e2b3a4d5c6e7f80"
# DEMO ONLY: without BALLOT_KEY_SECRET the ballot keys are wrapped with a key derived from
# SECRET_KEY, so whoever holds the settings can open ballots. Production refuses to start.
BALLOT_KEY_SECRET = BALLOT_KEY_SECRET or "derived-from-secret-key:" + SECRET_KEY
# The demo's census key, derived from the dev SECRET_KEY (set CENSUS_KEY to use your own).
CENSUS_KEY = CENSUS_KEY or hashlib.sha256(f"census|{SECRET_KEY}".encode()).hexdigest()
ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", ".localhost", "127.0.0.1", "[::1]"]

# whitenoise serves from the finders here; the folder only has to exist.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

IDENTITY_PROVIDERS = {"demo": "voting.identity.demo.DemoProvider"}
