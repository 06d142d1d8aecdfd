"""mcp_jobs: the mcp-jobs job folder protocol for Python wrappers (standard library only).

Copy this folder next to your wrapper (or put it on PYTHONPATH).

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

from .context import Cancelled, Context
from .runtime import EXIT_COMPLETED, EXIT_FAILED, EXIT_USAGE, InvalidInput, run_wrapper

__all__ = ["Cancelled", "Context", "InvalidInput", "run_wrapper", "EXIT_COMPLETED", "EXIT_FAILED", "EXIT_USAGE"]
