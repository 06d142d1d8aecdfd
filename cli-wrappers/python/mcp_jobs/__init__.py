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
     heartbeat every 5 s; its owner.json names this process; a lock older
     than 30 s, or whose owner is certainly dead on this machine, is taken
     over); only then, with --force, remove the old outputs
  4. read input.json; validate it unless its sha256 matches job.json's
     `inputDigest` (the server validated it at submit)
  5. run, with throttled atomic progress.json writes and a cancel flag set by
     SIGTERM / SIGINT
  6. write results.json (exit 0) or error.json `{message, kind, details?}`
     (exit 1) atomically, strict JSON only (NaN, Infinity, sets in a result:
     kind invalid_result); release the lock
"""

from .context import Cancelled, Context
from .runtime import EXIT_COMPLETED, EXIT_FAILED, EXIT_USAGE, InvalidInput, run_wrapper

__all__ = ["Cancelled", "Context", "InvalidInput", "run_wrapper", "EXIT_COMPLETED", "EXIT_FAILED", "EXIT_USAGE"]
