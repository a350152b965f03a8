"""The enterprise registry and the park's zones."""
