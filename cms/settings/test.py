"""Settings for the test suite: fast hashing, mails kept in memory, the environment's database."""

from .base import *

SECRET_KEY = "test-only-not-secret-0d9b8c7a6f5e4d3c2b1a0f9e8d7c6b5a"
BALLOT_KEY_SECRET = "test-only-ballot-secret-5e2d9c1b7a4f"
DEBUG = False
ALLOWED_HOSTS = ["*"]
CENSUS_KEY = "test-census-key-not-secret-4b1f"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
PRIVATE_MEDIA_ROOT = BASE_DIR / "var" / "test-private"
STORAGES["private"]["OPTIONS"]["location"] = PRIVATE_MEDIA_ROOT
# Tests that need rate limits switch them on themselves.
ACCOUNT_RATE_LIMITS = False

# whitenoise serves from the finders here; the folder only has to exist.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)

IDENTITY_PROVIDERS = {"demo": "voting.identity.demo.DemoProvider"}

# Tests read their own writes at once; the page cache's tests switch it on themselves.
ANONYMOUS_PAGE_CACHE_SECONDS = 0
LIST_COUNT_SECONDS = 0
