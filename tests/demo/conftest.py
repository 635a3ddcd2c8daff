"""The demo fixtures, imported the way any test package can use them."""

from tongban.demo.testing import demo_db, demo_module

__all__ = ["demo_db", "demo_module"]
