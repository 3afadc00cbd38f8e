"""Settings for the test suite: fast hashing, mails kept in memory, the environment's database."""

from .base import *

SECRET_KEY = "test-only-not-secret-0d9b8c7a6f5e4d3c2b1a0f9e8d7c6b5a"
DEBUG = False
ALLOWED_HOSTS = ["*"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
# Tests that need rate limits switch them on themselves.
ACCOUNT_RATE_LIMITS = False

# whitenoise serves from the finders here; the folder only has to exist.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
