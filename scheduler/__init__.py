"""The scheduler process: `python -m scheduler` runs the park's timed jobs, one copy at a time."""

import signal
import threading

# The signals that stop a scheduler process: blocked at start, then waited for (see __main__).
STOP_SIGNALS = frozenset({signal.SIGTERM, signal.SIGINT})

# Set when the process is stopping: long jobs check it between items and end early.
STOPPING = threading.Event()
