"""The worker lock: `<job dir>/worker.lock`, a folder created with mkdir (atomic),
its mtime refreshed every 5 s as a heartbeat. A lock whose mtime is older than
30 s belongs to a worker that died and is taken over. The server reads the
same folder (proper-lockfile's format) to tell a live worker from a lost one.
"""

import os
import shutil
import threading
import time

LOCK_STALE_S = 30.0
LOCK_UPDATE_S = 5.0


class WorkerLock:
    """`worker.lock`: a folder created with mkdir, its mtime refreshed as a heartbeat."""

    def __init__(self, path):
        self.path = path
        self.stop = threading.Event()
        self.thread = None

    def acquire(self):
        try:
            os.mkdir(self.path)
        except FileExistsError:
            age = time.time() - os.stat(self.path).st_mtime
            if age < LOCK_STALE_S:
                raise RuntimeError("another worker holds %s (heartbeat %d s ago)" % (self.path, round(age)))
            shutil.rmtree(self.path, ignore_errors=True)  # stale: its holder died
            os.mkdir(self.path)
        self.thread = threading.Thread(target=self._beat, daemon=True)
        self.thread.start()

    def _beat(self):
        while not self.stop.wait(LOCK_UPDATE_S):
            try:
                os.utime(self.path)
            except OSError:
                pass

    def release(self):
        self.stop.set()
        shutil.rmtree(self.path, ignore_errors=True)
