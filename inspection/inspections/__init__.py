"""Inspections: plans, visits and the team."""
