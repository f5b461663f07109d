"""Documents on cases and proposals (issue 19): receiving, checking, storing and serving files.

`intake` receives an upload into a temporary file while hashing and counting it; `sniff` decides
its type from its content; `scan` asks ClamAV's clamd when configured; `storage` keeps the bytes
content-addressed (a directory or PostgreSQL chunks); `service` writes the rows and the audit
events; `visibility` answers who sees which document.
"""
