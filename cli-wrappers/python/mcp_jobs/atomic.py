"""Atomic, durable JSON writes: temp file in the same folder, fsync, rename, fsync the folder.

A reader (the server) never sees half a file.
"""

import json
import os
from datetime import datetime, timezone


def now_iso():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def write_json_atomic(path, value):
    """Temp file in the same folder, fsync, rename over the target, fsync the folder."""
    folder, name = os.path.split(path)
    temp = os.path.join(folder, ".%s.%d.%s.tmp" % (name, os.getpid(), os.urandom(3).hex()))
    try:
        with os.fdopen(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "w", encoding="utf-8") as handle:
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
