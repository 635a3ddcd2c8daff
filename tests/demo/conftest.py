"""The demo fixture, imported the way any test package can use it."""

from tongban.demo.testing import demo_module

__all__ = ["demo_module"]
