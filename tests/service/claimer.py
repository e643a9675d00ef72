"""A stand-in server for the cross-process store test: ``python claimer.py DB THREADS LIMIT``.

Opens the store, says ``ready``, waits for ``go`` on stdin, then claims jobs from
THREADS threads until the queue is empty, holding each for a moment before finishing it.
Prints one JSON line: the ids it claimed, and how often a tenant was seen running more
than LIMIT jobs right after a claim (a claim race would show there)."""

from __future__ import annotations

import json
import sys
import threading
import time

from optikit.service.store import open_store

HOLD_S = 0.01


def main() -> None:
    db, threads, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    store = open_store(db)
    store.list_keys()  # connected
    print("ready", flush=True)
    sys.stdin.readline()
    claimed: list[str] = []
    overruns = 0
    lock = threading.Lock()

    def claim_all() -> None:
        nonlocal overruns
        while True:
            job = store.claim(limit)
            if job is None:
                left = store._one("SELECT COUNT(*) FROM jobs WHERE status = 'queued'")
                if not left or not left[0]:
                    return
                time.sleep(HOLD_S / 2)  # the queued jobs' tenants are at their limit
                continue
            over = store.running_count(job.tenant) > limit
            time.sleep(HOLD_S)
            store.finish(job.id, "done")
            with lock:
                claimed.append(job.id)
                overruns += over

    workers = [threading.Thread(target=claim_all) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print(json.dumps({"claimed": claimed, "overruns": overruns}), flush=True)


if __name__ == "__main__":
    main()
