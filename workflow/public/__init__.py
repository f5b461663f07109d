"""What the service shows the public without sign-in: open calls, and unregistered companies'
requests to take part in them (issue 17, item 5)."""
