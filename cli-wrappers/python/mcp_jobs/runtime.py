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

from .atomic import dumps_strict, write_bytes_atomic, write_json_atomic
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
    finished = "%s: %s already holds results.json or error.json; pass --force to run it again\n" % (name, job_dir)
    if not force and has_outputs(job_dir):
        sys.stderr.write(finished)
        return EXIT_USAGE
    # The lock first: a refused run (another worker holds the folder) changes nothing, also with --force.
    lock = WorkerLock(path("worker.lock"))
    try:
        lock.acquire()
    except (RuntimeError, OSError) as error:
        sys.stderr.write("%s: %s\n" % (name, error))
        return EXIT_USAGE
    try:
        if force:
            for file in ("results.json", "error.json", "progress.json"):
                if os.path.exists(path(file)):
                    os.unlink(path(file))
        elif has_outputs(job_dir):  # a worker finished it between our first look and our lock
            sys.stderr.write(finished)
            return EXIT_USAGE
        return _run_locked(name, job_dir, input_bytes, validate, run)
    finally:
        lock.release()


def has_outputs(job_dir):
    return os.path.exists(os.path.join(job_dir, "results.json")) or os.path.exists(os.path.join(job_dir, "error.json"))


def _run_locked(name, job_dir, input_bytes, validate, run):
    record = read_record(job_dir)
    ctx = Context(job_dir, record)

    def fail(kind, message, details=None):
        error = {"message": message, "kind": kind}
        if details is not None:
            error["details"] = details
        try:
            write_json_atomic(os.path.join(job_dir, "error.json"), error)
        except (OSError, ValueError, TypeError) as write_error:
            sys.stderr.write("%s: cannot write error.json: %s\n" % (name, write_error))
        sys.stderr.write("%s: %s: %s\n" % (name, kind, message))
        return EXIT_FAILED

    def describe(error):
        lines = traceback.format_exception(type(error), error, error.__traceback__)
        return str(error) or type(error).__name__, {"name": type(error).__name__, "traceback": "".join(lines).splitlines()[-8:]}

    try:
        raw = json.loads(input_bytes.decode("utf-8"))
    except ValueError as error:
        return fail("invalid_input", "input.json is not valid JSON: %s" % error)
    trusted = record.get("inputDigest") == hashlib.sha256(input_bytes).hexdigest()
    try:
        data = raw if trusted else validate(raw)
    except InvalidInput as error:
        return fail("invalid_input", str(error))
    except Exception as error:  # noqa: B902 -- a bug in validate is the wrapper's error, reported like one in run
        return fail("error", *describe(error))

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
        return fail("error", *describe(error))
    ctx.flush_progress()
    try:
        # Strict JSON: NaN, Infinity, cycles, sets, too deep a nesting are the wrapper's invalid_result, said here.
        text = dumps_strict(result)
    except (TypeError, ValueError, RecursionError) as error:
        return fail("invalid_result", "the result is not JSON-serializable: %s" % error)
    try:
        write_bytes_atomic(os.path.join(job_dir, "results.json"), text)
    except OSError as error:
        return fail("error", "cannot write results.json: %s" % error)
    return EXIT_COMPLETED
