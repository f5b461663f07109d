"""The public call pages (no sign-in) and the approvers' page of companies' requests to take
part in a call (issue 17, item 5)."""
