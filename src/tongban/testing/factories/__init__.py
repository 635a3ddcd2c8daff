"""Factories for every stateful model, in one place (issue 13 point 8).

Row factories (`…Factory`) write rows directly and are fast; builders (`case_at`, `rating_of`,
`followup_at`, `deadline_of`, `directive_of`, `card_of`) go through the services, so what they make
carries its events, watches and messages. Test code only: product code never imports this package
(`tongban.testing.tests.test_isolation` checks it).
"""

from .accounts import *  # noqa: F403
from .accounts import __all__ as _accounts
from .cases import *  # noqa: F403
from .cases import __all__ as _cases
from .catalogue import *  # noqa: F403
from .catalogue import __all__ as _catalogue
from .hall import *  # noqa: F403
from .hall import __all__ as _hall
from .organisations import *  # noqa: F403
from .organisations import __all__ as _organisations
from .ratings import *  # noqa: F403
from .ratings import __all__ as _ratings
from .supervision import *  # noqa: F403
from .supervision import __all__ as _supervision

__all__ = sorted({*_accounts, *_cases, *_catalogue, *_hall, *_organisations, *_ratings, *_supervision})
