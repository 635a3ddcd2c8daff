"""Demo data: a realistic district (广州市天河区) for the demo command and for tests.

Not a Django app: plain data files under ``data/`` and an idempotent loader. Use
``tongban.demo.loader.load_demo()`` to load it and ``tongban.demo.testing`` for pytest fixtures.
"""
