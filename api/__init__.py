"""The HTTP API (FastAPI) and the `opi` command line."""
