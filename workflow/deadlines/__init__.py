"""Deadlines and reminders: phase rules, service, outbox, reminder ladder, business days."""
