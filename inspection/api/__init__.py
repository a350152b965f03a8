"""The JSON API the tablets sync through, described by an OpenAPI document."""
