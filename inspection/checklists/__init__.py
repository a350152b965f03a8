"""Checklist templates: versions, the YAML library, the editor and scoring."""
