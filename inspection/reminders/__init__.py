"""Reminders: the park's rules for deadline reminders and escalation, and the daily sweep."""
