"""Moved to `tongban.testing.factories` (the shared test kit); kept so existing imports keep working."""

from tongban.testing.factories.organisations import *  # noqa: F403
from tongban.testing.factories.organisations import __all__  # noqa: F401
