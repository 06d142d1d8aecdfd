"""The mcp-jobs job folder protocol for Python wrappers (standard library only).

A wrapper is one file that defines `validate(raw) -> input` and
`run(input, ctx) -> result` and ends with

    if __name__ == "__main__":
        sys.exit(run_wrapper(NAME, DESCRIPTION, validate, run))

`run_wrapper` does what docs/protocol.md asks of a worker:

  1. parse `--job-dir <dir>` (`--force`, `--help`); exit 2 on a usage error
  2. refuse (exit 2) a folder that already holds results.json or error.json
  3. take the worker lock `<dir>/worker.lock` (a folder; its mtime is a
     heartbeat every 5 s; a lock older than 30 s is stale and taken over)
  4. read input.json; validate it unless its sha256 matches job.json's
     `inputDigest` (the server validated it at submit)
  5. run, with throttled atomic progress.json writes and a cancel flag set by
     SIGTERM / SIGINT
  6. write results.json (exit 0) or error.json `{message, kind, details?}`
     (exit 1) atomically; release the lock
"""

import hashlib
import json
import os
import shutil
import signal
import sys
import threading
import time
import traceback
from datetime import datetime, timezone

EXIT_COMPLETED, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
LOCK_STALE_S = 30.0
LOCK_UPDATE_S = 5.0
PROGRESS_THROTTLE_S = 0.1


class InvalidInput(Exception):
    """Raised by `validate` with a message naming the field."""


class Cancelled(Exception):
    """Raised by `ctx.check_cancelled()` once SIGTERM or SIGINT arrived."""


def now_iso():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def write_json_atomic(path, value):
    """Temp file in the same folder, fsync, rename over the target, fsync the folder."""
    folder, name = os.path.split(path)
    temp = os.path.join(folder, ".%s.%d.%s.tmp" % (name, os.getpid(), os.urandom(3).hex()))
    try:
        with open(temp, "x", encoding="utf-8") as handle:
            handle.write(json.dumps(value, indent=2, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    fd = os.open(folder or ".", os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
        """Report progress; progress.json is written at most every 100 ms, the latest report always lands."""
        with self._lock:
            self._latest = {"current": current, "total": total}
            if message is not None:
                self._latest["message"] = message
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
            except OSError as error:
                self.log("progress.json: %s" % error)

    def log(self, message):
        """A line to the job's stderr.log."""
        sys.stderr.write(message + "\n")
        sys.stderr.flush()


USAGE = """%(name)s: %(description)s

Usage: %(script)s --job-dir <dir> [--force]

Runs one job in <dir> (the mcp-jobs job folder protocol, docs/protocol.md):
reads input.json; writes progress.json, then results.json (exit 0) or
error.json (exit 1). Exit 2: usage error or refused. SIGTERM stops the job.
"""


def parse_args(argv):
    job_dir, force = None, False
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg in ("--help", "-h"):
            return "help", None, False
        if arg == "--force":
            force = True
        elif arg == "--job-dir":
            i += 1
            if i >= len(argv) or not argv[i]:
                raise ValueError("--job-dir needs a folder")
            job_dir = argv[i]
        elif arg.startswith("--job-dir="):
            job_dir = arg[len("--job-dir="):]
        else:
            raise ValueError("unknown argument `%s`" % arg)
        i += 1
    if not job_dir:
        raise ValueError("missing --job-dir <dir>")
    return "run", os.path.abspath(job_dir), force


def read_record(job_dir):
    try:
        with open(os.path.join(job_dir, "job.json"), encoding="utf-8") as handle:
            value = json.load(handle)
        return value if isinstance(value, dict) else {}
    except (OSError, ValueError):
        return {}  # run by hand on a bare folder: validate the input ourselves


def run_wrapper(name, description, validate, run, argv=None):
    """Runs one job as the protocol asks; returns the exit code."""
    try:
        mode, job_dir, force = parse_args(sys.argv[1:] if argv is None else argv)
    except ValueError as error:
        sys.stderr.write("%s: %s\nRun with --help for usage.\n" % (name, error))
        return EXIT_USAGE
    if mode == "help":
        sys.stdout.write(USAGE % {"name": name, "description": description, "script": os.path.basename(sys.argv[0])})
        return EXIT_COMPLETED
    path = lambda file: os.path.join(job_dir, file)  # noqa: E731
    try:
        with open(path("input.json"), "rb") as handle:
            input_bytes = handle.read()
    except OSError as error:
        sys.stderr.write("%s: cannot read %s: %s\n" % (name, path("input.json"), error))
        return EXIT_USAGE
    if force:
        for file in ("results.json", "error.json", "progress.json"):
            if os.path.exists(path(file)):
                os.unlink(path(file))
    elif os.path.exists(path("results.json")) or os.path.exists(path("error.json")):
        sys.stderr.write("%s: %s already holds results.json or error.json; pass --force to run it again\n" % (name, job_dir))
        return EXIT_USAGE
    lock = WorkerLock(path("worker.lock"))
    try:
        lock.acquire()
    except (RuntimeError, OSError) as error:
        sys.stderr.write("%s: %s\n" % (name, error))
        return EXIT_USAGE
    try:
        return _run_locked(name, job_dir, input_bytes, validate, run)
    finally:
        lock.release()


def _run_locked(name, job_dir, input_bytes, validate, run):
    record = read_record(job_dir)
    ctx = Context(job_dir, record)

    def fail(kind, message, details=None):
        error = {"message": message, "kind": kind}
        if details is not None:
            error["details"] = details
        write_json_atomic(os.path.join(job_dir, "error.json"), error)
        sys.stderr.write("%s: %s: %s\n" % (name, kind, message))
        return EXIT_FAILED

    try:
        raw = json.loads(input_bytes.decode("utf-8"))
    except ValueError as error:
        return fail("invalid_input", "input.json is not valid JSON: %s" % error)
    trusted = record.get("inputDigest") == hashlib.sha256(input_bytes).hexdigest()
    try:
        data = raw if trusted else validate(raw)
    except InvalidInput as error:
        return fail("invalid_input", str(error))

    def on_signal(signum, _frame):
        ctx._cancel.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    try:
        result = run(data, ctx)
    except BaseException as error:  # noqa: B902 -- every failure becomes error.json
        ctx.flush_progress()
        if ctx.cancelled:
            return fail("cancelled", "stopped: received a signal")
        lines = traceback.format_exception(type(error), error, error.__traceback__)
        return fail("error", str(error) or type(error).__name__, {"name": type(error).__name__, "traceback": "".join(lines).splitlines()[-8:]})
    ctx.flush_progress()
    try:
        text = json.dumps(result)
    except (TypeError, ValueError) as error:
        return fail("invalid_result", "the result is not JSON-serializable: %s" % error)
    write_json_atomic(os.path.join(job_dir, "results.json"), json.loads(text))
    return EXIT_COMPLETED
