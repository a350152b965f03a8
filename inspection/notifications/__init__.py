"""Notifications: the outbox written with each change, and the in-app notification centre."""
