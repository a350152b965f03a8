"""Hazards, rectification notices, the lifecycle and the audit trail."""
