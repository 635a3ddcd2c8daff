"""Moved to `tongban.testing.factories` (the shared test kit); kept so existing imports keep working."""

from tongban.testing.factories.accounts import *  # noqa: F403
from tongban.testing.factories.accounts import __all__  # noqa: F401
