"""The `web` fixture (the app on the test database with the web world) for every page test."""

from tests.web_support import web

__all__ = ["web"]
