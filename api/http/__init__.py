"""HTTP plumbing shared by every route: problem+json, admission, limits, throttling, caching.

Kept apart from the routers so that `api/` itself shows the service (app, routes, schemas,
pages, command line) and the cross-cutting request handling sits in one place."""
