"""`python -m scheduler`: wait for the scheduler lock, then run the jobs until stopped.

SIGTERM and SIGINT are blocked before anything else is imported: some libraries start native
threads as they load, and a stop signal must not reach a thread that would let it kill the
process on the spot. The runner waits for the signal in the main thread instead.
"""

import signal

from scheduler import STOP_SIGNALS

signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)

from scheduler.runner import run  # noqa: E402 (after the signals are blocked)

if __name__ == "__main__":
    run()
