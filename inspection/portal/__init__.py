"""The enterprise portal."""
