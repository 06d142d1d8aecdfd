"""Atomic, durable JSON writes: temp file in the same folder, fsync, rename, fsync the folder.

A reader (the server) never sees half a file, and never anything but strict
JSON (RFC 8259): NaN and Infinity are refused (`ValueError`), a string holding a
lone surrogate is written \\u-escaped instead of failing to encode.
"""

import errno
import json
import os
from datetime import datetime, timezone


def now_iso():
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def dumps_strict(value):
    """`value` as strict JSON text, UTF-8 encoded, pretty-printed.

    Raises ValueError (NaN, Infinity, a cycle), TypeError (a value JSON cannot
    hold) or RecursionError (nesting too deep): the caller reports them.
    """
    text = json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate (e.g. from os.fsdecode of a bad file name) has no UTF-8 form: escape every non-ASCII character.
        return (json.dumps(value, indent=2, allow_nan=False) + "\n").encode("ascii")


def _write_all(fd, data):
    """os.write until every byte is written: a short write (a nearly full disk) never goes unnoticed."""
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        if written <= 0:
            raise OSError(errno.EIO, "short write: %d bytes left unwritten" % len(view))
        view = view[written:]


def write_bytes_atomic(path, data):
    """Temp file in the same folder, every byte written, fsync, rename over the target, fsync the folder."""
    folder, name = os.path.split(path)
    temp = os.path.join(folder, ".%s.%d.%s.tmp" % (name, os.getpid(), os.urandom(3).hex()))
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            _write_all(fd, data)
            os.fsync(fd)
        finally:
            os.close(fd)
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


def write_json_atomic(path, value):
    """`dumps_strict(value)` written atomically (raises what dumps_strict raises, before touching the disk)."""
    write_bytes_atomic(path, dumps_strict(value))
