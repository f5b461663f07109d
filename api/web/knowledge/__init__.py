"""The knowledge library's pages (issue 17)."""
