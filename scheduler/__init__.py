"""The scheduler process: `python -m scheduler` runs the park's timed jobs, one copy at a time."""

import signal

# The signals that stop a scheduler process: blocked at start, then waited for (see __main__).
STOP_SIGNALS = frozenset({signal.SIGTERM, signal.SIGINT})
