"""Load figures of `optikit serve` (issue targets): 200 jobs from 4 tenants submitted at
once with 2 workers; every job must end done with a checked document, none lost or
doubled; p99 latency of GET /v1/jobs/{id} while they run; and the service's overhead
over the Python API for the same solve.

    .venv/bin/python benchmarks/service/load.py [--jobs 200] [--problem FILE]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
import uvicorn

import optikit
from optikit.service.app import create_app
from optikit.service.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--problem", default=str(ROOT / "problems/blend/sinter_feed_lp.yaml"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(db=f"{tmp}/jobs.sqlite", workers=2,
                                  max_running_per_tenant=2, max_queued_per_tenant=1000))
        store = app.state.service.store
        keys = [store.add_key(f"plant{i}")[1] for i in range(4)]
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0,
                                               log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        url = f"http://127.0.0.1:{server.servers[0].sockets[0].getsockname()[1]}"
        data = Path(args.problem).read_bytes()
        name = Path(args.problem).name
        with httpx.Client(base_url=url, timeout=60) as client:
            def auth(i: int) -> dict[str, str]:
                return {"Authorization": f"Bearer {keys[i % 4]}"}

            # overhead: one job alone through the service vs the same solve in-process
            warm = client.post("/v1/jobs", files={"file": (name, data)},
                               params={"time_limit": 10}, headers=auth(0)).json()["id"]
            _wait(client, warm, auth(0))
            t0 = time.monotonic()
            one = client.post("/v1/jobs", files={"file": (name, data)},
                              params={"time_limit": 10}, headers=auth(0)).json()["id"]
            _wait(client, one, auth(0))
            service_s = time.monotonic() - t0
            t0 = time.monotonic()
            optikit.solve(args.problem, time_limit=10, threads=1)
            api_s = time.monotonic() - t0

            t0 = time.monotonic()
            ids = [(i, client.post("/v1/jobs", files={"file": (name, data)},
                                   params={"time_limit": 10}, headers=auth(i)).json()["id"])
                   for i in range(args.jobs)]
            submitted = time.monotonic() - t0
            latencies: list[float] = []
            pending = {job_id: i for i, job_id in ids}
            while pending:
                for job_id, i in list(pending.items()):
                    s = time.monotonic()
                    job = client.get(f"/v1/jobs/{job_id}", headers=auth(i)).json()
                    latencies.append(time.monotonic() - s)
                    if job["status"] in ("done", "failed", "cancelled"):
                        pending.pop(job_id)
                        assert job["status"] == "done", job
                        assert job["document"]["check"]["feasible"], job_id
                time.sleep(0.2)
            total = time.monotonic() - t0
            rows = store._rows("SELECT status, attempts, COUNT(*) FROM jobs GROUP BY 1, 2")
        server.should_exit = True
        thread.join(30)
    latencies.sort()
    p99 = latencies[int(0.99 * (len(latencies) - 1))]
    print(f"jobs: {args.jobs} from 4 tenants, 2 workers, problem {name}")
    print(f"store: {rows}  (status, attempts, count: none lost, none run twice)")
    print(f"submitting took {submitted:.2f} s; all done after {total:.1f} s")
    print(f"GET /v1/jobs/{{id}} under load: {len(latencies)} requests, median "
          f"{1000 * statistics.median(latencies):.1f} ms, p99 {1000 * p99:.1f} ms")
    print(f"one job: service {service_s:.2f} s end to end, optikit.solve {api_s:.2f} s, "
          f"overhead {service_s - api_s:.2f} s")


def _wait(client: httpx.Client, job_id: str, headers: dict[str, str]) -> None:
    while client.get(f"/v1/jobs/{job_id}", headers=headers).json()["status"] not in (
            "done", "failed", "cancelled"):
        time.sleep(0.02)


if __name__ == "__main__":
    main()
