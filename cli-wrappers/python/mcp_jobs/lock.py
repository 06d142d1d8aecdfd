"""The worker lock: `<job dir>/worker.lock`, a folder created with mkdir (atomic),
its mtime refreshed every 5 s as a heartbeat. A lock whose mtime is older than
30 s belongs to a worker that died and is taken over. The server reads the
same folder (proper-lockfile's format) to tell a live worker from a lost one.

Right after the mkdir the worker records itself in `worker.lock/owner.json`
(pid, process start time, host name, boot id, pid namespace). The next worker
on the same machine takes over a lock at once when that owner is certainly
dead: same host, boot and pid namespace, and the pid is gone, a zombie, or a
different process now. Anything less certain leaves the 30 s rule in charge,
so a live worker's lock is never taken. (The same rules as
src/worker/lock-owner.ts.)
"""

import json
import os
import shutil
import socket
import stat
import sys
import threading
import time

LOCK_STALE_S = 30.0
LOCK_UPDATE_S = 5.0
OWNER_FILE = "owner.json"


def _quietly(read):
    try:
        return read()
    except (OSError, ValueError):
        return None


def _read_text(path):
    with open(path, encoding="utf-8") as handle:
        return handle.read()


def _stat_fields(pid):
    """Fields of /proc/<pid>/stat after `(comm)`; None where it cannot be read."""
    text = _quietly(lambda: _read_text("/proc/%d/stat" % pid))
    if text is None:
        return None
    close = text.rfind(")")
    return text[close + 2:].split(" ") if close >= 0 else None


def _here():
    here = {"host": socket.gethostname()}
    boot_id = _quietly(lambda: _read_text("/proc/sys/kernel/random/boot_id").strip())
    pid_ns = _quietly(lambda: os.readlink("/proc/self/ns/pid"))
    if boot_id:
        here["bootId"] = boot_id
    if pid_ns:
        here["pidNs"] = pid_ns
    return here


def this_process():
    owner = {"pid": os.getpid()}
    fields = _stat_fields(os.getpid())
    if fields and len(fields) > 19:
        owner["startTime"] = fields[19]
    owner.update(_here())
    return owner


def _alive(pid, start_time):
    if os.path.exists("/proc/self/stat"):
        fields = _stat_fields(pid)
        if not fields or fields[0] in ("Z", "X"):
            return False
        return start_time is None or (len(fields) > 19 and fields[19] == start_time)
    try:
        os.kill(pid, 0)
        return True
    except PermissionError:
        return True
    except OSError:
        return False


def _read_owner_text(lock_path):
    """owner.json's text: never through a link, never blocking on a FIFO, at most 4 KiB."""
    if not stat.S_ISDIR(os.lstat(lock_path).st_mode):
        return None
    fd = os.open(os.path.join(lock_path, OWNER_FILE), os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        return os.read(fd, 4096).decode("utf-8")
    finally:
        os.close(fd)


def read_owner(lock_path):
    text = _quietly(lambda: _read_owner_text(lock_path))
    value = None if text is None else _quietly(lambda: json.loads(text))
    if not isinstance(value, dict):
        return None
    pid = value.get("pid")
    if isinstance(pid, bool) or not isinstance(pid, int) or pid <= 0 or not isinstance(value.get("host"), str):
        return None
    if any(value.get(key) is not None and not isinstance(value.get(key), str) for key in ("startTime", "bootId", "pidNs")):
        return None
    return value


def owner_is_dead(owner):
    """True only when the recorded holder is certainly not running on this machine."""
    if owner is None:
        return False
    here = _here()
    if any(owner.get(key) != here.get(key) for key in ("host", "bootId", "pidNs")):
        return False
    return not _alive(owner["pid"], owner.get("startTime"))


class WorkerLock:
    """`worker.lock`: a folder created with mkdir, its mtime refreshed as a heartbeat."""

    def __init__(self, path):
        self.path = path
        self.stop = threading.Event()
        self.thread = None
        self.owned = None  # the owner.json text this worker wrote

    def acquire(self):
        try:
            os.mkdir(self.path)
        except FileExistsError:
            age = _quietly(lambda: time.time() - os.stat(self.path).st_mtime)
            age = float("inf") if age is None else age
            owner = read_owner(self.path)
            if age < LOCK_STALE_S and not owner_is_dead(owner):
                held_by = ", pid %d" % owner["pid"] if owner else ""
                raise RuntimeError("another worker holds %s (heartbeat %d s ago%s)" % (self.path, round(age), held_by))
            reason = "its holder, pid %s, is dead" % owner["pid"] if age < LOCK_STALE_S else "its heartbeat is stale"
            sys.stderr.write("taking over %s: %s\n" % (self.path, reason))
            shutil.rmtree(self.path, ignore_errors=True)
            os.mkdir(self.path)
        text = json.dumps(this_process()) + "\n"
        try:
            with open(os.path.join(self.path, OWNER_FILE), "x", encoding="utf-8") as handle:
                handle.write(text)
            self.owned = text
        except OSError:
            pass  # the heartbeat alone speaks for us
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
        if self.owned is not None and _quietly(lambda: _read_owner_text(self.path)) != self.owned:
            return  # taken over while we were thought dead: the lock is someone else's now
        shutil.rmtree(self.path, ignore_errors=True)
