"""Settings for the test suite: fast hashing, mails kept in memory, the environment's database."""

import os

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

# pytest-xdist runs the suite in several processes. pytest-django gives each its own test
# database; here each also gets its own Redis database, counting up from REDIS_URL's (gw0
# keeps it, gw1 the next one, ...), so one process's queues, workers and cache never meet
# another's. Subprocesses the tests start with their own Redis (the drills' workers) are
# started without PYTEST_XDIST_WORKER.
_xdist_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
if REDIS_URL and _xdist_worker.startswith("gw"):
    from urllib.parse import urlsplit, urlunsplit

    from django.core.exceptions import ImproperlyConfigured

    _url = urlsplit(REDIS_URL)
    _db = int(_url.path.strip("/") or 0) + int(_xdist_worker[2:])
    if _db > 15:
        raise ImproperlyConfigured(
            f"xdist worker {_xdist_worker} needs Redis database {_db}: start REDIS_URL at a "
            "lower database number or run fewer workers (-n)."
        )
    REDIS_URL = urlunsplit(_url._replace(path=f"/{_db}"))
    CACHES["default"]["LOCATION"] = REDIS_URL
    for _queue in RQ_QUEUES.values():
        _queue["URL"] = REDIS_URL
