"""The auditor's pages: the audit log with filters, verification and exports."""
