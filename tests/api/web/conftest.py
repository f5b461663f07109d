"""The `web` fixture (the app on the test database with the web world) for every page test."""

from tests.api.web.test_pages import web

__all__ = ["web"]
