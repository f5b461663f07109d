"""Accessibility and phone-width checks shared by the browser tests.

axe-core is vendored in `tests/browser/vendor/` (no network in the tests). It is evaluated in
the page through Playwright's protocol channel, which the pages' Content-Security-Policy
(`script-src 'self'`) does not govern, so the pages are tested with their real headers.
"""

import re
from functools import cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE_PATH = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_VERSION = "4.14.1"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# Impacts a page must never have; "moderate" and "minor" are reported by axe but not failed on.
BLOCKING = ("serious", "critical")


@cache
def axe_source() -> str:
    """The vendored axe-core, read once per test session."""
    return AXE_PATH.read_text(encoding="utf-8")


def vendored_axe_version() -> str:
    """The version in the vendored file's banner (`/*! axe v4.14.1`)."""
    match = re.match(r"/\*! axe v(\S+)", axe_source())
    return match.group(1) if match else ""


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """The serious and critical axe violations of the page as it is now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(axe_source())
    result: dict[str, Any] = page.evaluate(
        "async () => await axe.run(document, {resultTypes: ['violations']})"
    )
    return [v for v in result["violations"] if v.get("impact") in BLOCKING]


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violation and offending element, for a readable failure."""
    lines = []
    for violation in violations:
        for node in violation["nodes"][:5]:
            lines.append(f"{violation['id']} ({violation['impact']}): {node['target']}")
    return "\n".join(lines)


def assert_accessible(page: Page) -> None:
    """No serious or critical axe violation on the page."""
    violations = axe_violations(page)
    assert not violations, f"axe on {page.url}:\n{describe(violations)}"


def sideways_overflow(page: Page) -> int:
    """How many pixels the page is wider than the viewport (0 when it does not scroll sideways)."""
    width: int = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    return max(width, 0)


def widest_elements(page: Page) -> list[str]:
    """The elements that reach past the viewport's right edge (to say what to fix)."""
    found: list[str] = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 8)
            .map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')
                 + ' ' + Math.round(e.getBoundingClientRect().right))"""
    )
    return found


def assert_fits_phone(page: Page) -> None:
    """`document.documentElement.scrollWidth <= innerWidth`: nothing scrolls sideways."""
    overflow = sideways_overflow(page)
    assert overflow == 0, f"{page.url} scrolls {overflow}px sideways: {widest_elements(page)}"


def check_page(page: Page) -> None:
    """Both checks, for every page a test visits."""
    assert_accessible(page)
    if page.viewport_size and page.viewport_size["width"] <= PHONE["width"]:
        assert_fits_phone(page)


def focus_ring(page: Page) -> str:
    """The focused element's outline as drawn (`"3px solid ..."`), or "" when none is drawn."""
    ring: str = page.evaluate(
        """() => {
            const style = getComputedStyle(document.activeElement);
            const width = parseFloat(style.outlineWidth) || 0;
            return style.outlineStyle !== 'none' && width >= 2
                ? `${style.outlineWidth} ${style.outlineStyle} ${style.outlineColor}` : '';
        }"""
    )
    return ring


def tab_to(page: Page, selector: str, limit: int = 120) -> None:
    """Press Tab until the focus is on `selector`, as a keyboard user would; the focused control
    must show a visible focus ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("s => document.activeElement?.matches(s) ?? false", selector):
            assert focus_ring(page), f"no visible focus on {selector} at {page.url}"
            return
    raise AssertionError(f"Tab never reached {selector} on {page.url}")


def problems_on(page: Page, base_url: str, path: str) -> list[str]:
    """Open `path` under `base_url`: what is wrong with it at the viewport's width (sideways
    scrolling) and for axe, one text per problem; empty when it passes both."""
    page.goto(f"{base_url}{path}")
    problems = []
    overflow = sideways_overflow(page)
    if overflow:
        problems.append(f"{path} scrolls {overflow}px sideways: {widest_elements(page)}")
    violations = axe_violations(page)
    if violations:
        problems.append(f"{path} axe:\n{describe(violations)}")
    return problems
