"""Deadline reminders: the calendar, the outbox sweep and the email and webhook channels."""
