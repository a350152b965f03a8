"""Photos and other evidence."""
