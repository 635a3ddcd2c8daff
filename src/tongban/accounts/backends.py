"""Authentication with lockout after repeated failures (see settings.LOGIN_MAX_FAILURES)."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend


class LockoutModelBackend(ModelBackend):
    """Refuses a locked account even with the right password; counting is done in accounts.services."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and not getattr(user, "is_locked", False)
