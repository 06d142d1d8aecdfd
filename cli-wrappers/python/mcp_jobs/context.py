"""What a wrapper's `run(input, ctx)` receives: progress, cancellation, logging."""

import math
import os
import sys
import threading
import time

from .atomic import now_iso, write_json_atomic

PROGRESS_THROTTLE_S = 0.1


class Cancelled(Exception):
    """Raised by `ctx.check_cancelled()` / `ctx.sleep()` once SIGTERM or SIGINT arrived."""


class Context:
    """What `run` receives besides its input."""

    def __init__(self, job_dir, record):
        self.job_dir = job_dir
        self.job_id = record.get("id")
        self.attempt = record.get("attempt", 1)
        self._cancel = threading.Event()
        self._latest = None
        self._last_write = 0.0
        self._timer = None
        self._lock = threading.RLock()

    @property
    def cancelled(self):
        return self._cancel.is_set()

    def check_cancelled(self):
        if self._cancel.is_set():
            raise Cancelled("stopped by a signal")

    def sleep(self, seconds):
        """Sleep, waking early (with `Cancelled`) when the job is cancelled."""
        self._cancel.wait(seconds)
        self.check_cancelled()

    def progress(self, current, total, message=None):
        """Report progress; progress.json is written at most every 100 ms, the latest report always lands.

        `current` and `total` must be finite numbers (ValueError otherwise: progress.json is strict JSON).
        """
        for value in (current, total):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
                raise ValueError("progress(current, total) expects finite numbers, got %r" % (value,))
        with self._lock:
            self._latest = {"current": current, "total": total}
            if message is not None:
                self._latest["message"] = str(message)
            wait = self._last_write + PROGRESS_THROTTLE_S - time.monotonic()
            if wait > 0:
                if self._timer is None:
                    self._timer = threading.Timer(wait, self.flush_progress)
                    self._timer.daemon = True
                    self._timer.start()
                return
        self.flush_progress()

    def flush_progress(self):
        """Writes the latest report if it is not on disk yet (also called before the result is written)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
            if self._latest is None:
                return
            body = dict(self._latest, updatedAt=now_iso())
            self._latest = None
            self._last_write = time.monotonic()
            try:
                write_json_atomic(os.path.join(self.job_dir, "progress.json"), body)
            except (OSError, ValueError, TypeError) as error:
                self.log("progress.json: %s" % error)

    def log(self, message):
        """A line to the job's stderr.log."""
        sys.stderr.write(message + "\n")
        sys.stderr.flush()
