"""The shared test kit: factories (`tongban.testing.factories`) and the pytest plugin
(`tongban.testing.plugin`, registered by the root conftest.py). Test code only — it needs the test
dependencies (factory-boy, pytest), and product code never imports it."""
