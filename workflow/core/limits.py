"""How long the texts people type may be: one number per kind of text.

The services refuse longer input with these (a 422 naming the limit), and the tables' columns
are sized by them, so the check and the column cannot drift apart.
"""

MAX_TITLE = 300
"""A case's, deadline's, proposal's or document's title."""

MAX_REASON = 2000
"""A reason or message given with a request or decision: putting a case on hold, closing a
deadline, asking for a document's deletion, deciding a request."""
