"""The user types that services, selectors and permissions annotate `actor` and `user` with, in every layer.

`User` is `settings.AUTH_USER_MODEL` (tongban.accounts.models.User): django-stubs' mypy plugin expands its
`_User` alias to the configured model, so apps below `accounts` in the layers (common, organisations,
notifications) name the real model without importing it. `AnyUser` is what `request.user` can be.
Only for annotations: import under `TYPE_CHECKING` (the stub-only `_User` does not exist at run time).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, _User

    User: TypeAlias = _User
    AnyUser: TypeAlias = _User | AnonymousUser
