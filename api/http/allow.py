"""The `Allow` header of a 405: every method the path answers, not only the first route's.

Starlette stops at the first route whose path matches and names only that route's methods,
so `DELETE /cases` answered `Allow: POST` although `GET /cases` exists too (issue 15.12). The
full list comes from asking every route whether it matches the path with each method, through
the routes' public `matches`, so it holds however the routers are nested.
"""

from starlette.requests import Request
from starlette.routing import Match

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


def allowed_methods(request: Request) -> str:
    """The methods the request's path answers, as an `Allow` value."""
    routes = request.app.router.routes
    allowed = [
        method
        for method in METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    ]
    return ", ".join(allowed)
