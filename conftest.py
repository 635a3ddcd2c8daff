"""Suite-wide fixtures. App-specific fixtures live in each app's tests/conftest.py."""

import os

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs an event loop
