#!/usr/bin/env python3
"""prime_sieve: counts the primes up to `limit` with a segmented sieve of
Eratosthenes, reporting progress per segment and stopping between segments
when cancelled. An example mcp-jobs wrapper in Python (standard library only).

    python3 cli-wrappers/python/prime_sieve.py --job-dir jobs/<id>

Registered through the config file (see mcp-jobs.config.example.json):

    { "name": "prime_sieve", "command": ["python3", "./cli-wrappers/python/prime_sieve.py"],
      "description": "...", "inputSchema": "./cli-wrappers/python/prime_sieve.schema.json" }
"""

import math
import sys

sys.dont_write_bytecode = True  # keep __pycache__ out of the wrapper folder

from mcp_jobs import InvalidInput, run_wrapper  # noqa: E402 (the folder next to this file)

NAME = "prime_sieve"
DESCRIPTION = "Count the primes up to `limit` (segmented sieve), with progress per segment."
MAX_LIMIT = 2_000_000_000

# name: (minimum, maximum, default or None when required)
FIELDS = {
    "limit": (2, MAX_LIMIT, None),
    "segment_size": (1_000, 10_000_000, 1_000_000),
    "tail": (0, 100, 5),
    "step_ms": (0, 60_000, 0),
}


def validate(raw):
    """The same rules as prime_sieve.schema.json: integers in range, no other keys."""
    if not isinstance(raw, dict):
        raise InvalidInput("expected an object like {\"limit\": 1000000}")
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        raise InvalidInput("unknown key%s %s" % ("s" if len(unknown) > 1 else "", ", ".join("`%s`" % k for k in unknown)))
    data = {}
    for name, (low, high, default) in FIELDS.items():
        if name not in raw:
            if default is None:
                raise InvalidInput("%s: required (an integer from %d to %d)" % (name, low, high))
            data[name] = default
            continue
        value = raw[name]
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InvalidInput("%s: expected an integer from %d to %d, got %s" % (name, low, high, repr(value)))
        data[name] = value
    return data


def small_primes(n):
    """Primes up to n, a plain sieve."""
    sieve = bytearray([1]) * (n + 1)
    sieve[0:2] = b"\x00\x00"
    for p in range(2, math.isqrt(n) + 1):
        if sieve[p]:
            sieve[p * p :: p] = bytes(len(range(p * p, n + 1, p)))
    return [i for i, flag in enumerate(sieve) if flag]


def run(data, ctx):
    limit, size = data["limit"], data["segment_size"]
    tail_size = data.get("tail", 5)
    base = small_primes(math.isqrt(limit))
    segments = (limit - 1 + size - 1) // size  # numbers 2..limit
    count, tail, largest = 0, [], None
    for index in range(segments):
        ctx.check_cancelled()
        low = 2 + index * size
        high = min(low + size - 1, limit)
        flags = bytearray([1]) * (high - low + 1)
        for p in base:
            if p * p > high:
                break
            start = max(p * p, (low + p - 1) // p * p)
            flags[start - low :: p] = bytes(len(range(start, high + 1, p)))
        count += flags.count(1)
        last, end = [], len(flags)
        while len(last) < max(tail_size, 1):
            i = flags.rfind(1, 0, end)
            if i < 0:
                break
            last.append(low + i)
            end = i
        if last:
            largest = last[0]
            tail = (tail + last[::-1])[-tail_size:] if tail_size else []
        ctx.progress(index + 1, segments, "segment %d/%d: %d primes up to %d" % (index + 1, segments, count, high))
        if data.get("step_ms", 0):
            ctx.sleep(data["step_ms"] / 1000)
    return {"limit": limit, "count": count, "largest": largest, "tail": tail, "segments": segments}


if __name__ == "__main__":
    sys.exit(run_wrapper(NAME, DESCRIPTION, validate, run))
