"""Closure-rate figures for supervisors."""
