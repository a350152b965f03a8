"""The scheduler process: `python -m scheduler` runs the park's timed jobs, one copy at a time."""
