"""Local development and the demo: a fixed insecure key is acceptable here, never in production."""

import os

os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DEBUG", True)
SECRET_KEY = SECRET_KEY or "dev-insecure-tongban-key-do-not-use-in-production"  # noqa: F405
