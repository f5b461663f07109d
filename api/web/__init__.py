"""Server-rendered pages for project managers, staff, partners and auditors (mounted at /ui)."""

from api.web.app import create_web_app

__all__ = ["create_web_app"]
