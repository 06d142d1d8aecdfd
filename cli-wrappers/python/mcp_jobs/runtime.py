"""`run_wrapper`: runs one job as docs/protocol.md asks of a worker.

Exit codes: 0 completed (results.json), 1 failed (error.json), 2 usage error
or refused (nothing written).
"""

import hashlib
import json
import os
import signal
import sys
import traceback

from .atomic import write_json_atomic
from .context import Context
from .lock import WorkerLock

EXIT_COMPLETED, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class InvalidInput(Exception):
    """Raised by `validate` with a message naming the field; becomes error.json kind `invalid_input`."""


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
