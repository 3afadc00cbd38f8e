"""Local development and the demo: embedded defaults, nothing else to install."""

from .base import *

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-only-not-secret-6c1f0b1e9a5d4c7f8e2b3a4d5c6e7f80"
ALLOWED_HOSTS = ALLOWED_HOSTS or ["localhost", ".localhost", "127.0.0.1", "[::1]"]

# whitenoise serves from the finders here; the folder only has to exist.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
