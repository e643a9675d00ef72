"""Figures of the web page's downloads: the page and plotly.js as served, and for the
first sample of every problem type the time of ``GET /v1/jobs/{id}/chart.json`` (the
interactive chart, drawn in a child process; then again, from the server's memory) and
of ``/export?format=csv|xlsx``.

    .venv/bin/python benchmarks/service/page.py [--time-limit 5]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from typing import Any

from fastapi.testclient import TestClient

from optikit.service.app import create_app
from optikit.service.settings import Settings


def timed(client: TestClient, url: str, **kw: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    answer = client.get(url, **kw)
    return answer, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--time-limit", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(Settings(db=f"{tmp}/jobs.sqlite", workers=2))
        with TestClient(app) as client:
            auth = {"Authorization": f"Bearer {app.state.service.store.add_key('acme')[1]}"}
            page, took = timed(client, "/")
            print(f"page: {len(page.content):,} bytes rendered in {took * 1000:.0f} ms")
            raw = client.get("/static/plotly.min.js", headers={"Accept-Encoding": "identity"})
            packed, took = timed(client, "/static/plotly.min.js",
                                 headers={"Accept-Encoding": "gzip"})
            print(f"plotly.min.js: {len(raw.content):,} bytes, "
                  f"{int(packed.headers['content-length']):,} gzipped "
                  f"(first gzip request {took:.2f} s)")
            jobs = {}
            for ptype in client.get("/v1/types").json()["types"]:
                sample = ptype["samples"][0]
                text = client.get(sample["url"]).content
                answer = client.post("/v1/jobs", params={"time_limit": args.time_limit},
                                     files={"file": (sample["name"], text)}, headers=auth)
                jobs[f"{ptype['name']}/{sample['name']}"] = answer.json()["id"]
            print(f"{'sample':<46} {'status':<8} {'chart.json':>10} {'again':>7} {'csv':>7}"
                  f" {'xlsx':>7}  chart")
            for name, job_id in jobs.items():
                while (job := client.get(f"/v1/jobs/{job_id}", headers=auth).json()
                       )["status"] in ("queued", "running"):
                    time.sleep(0.2)
                chart, t_chart = timed(client, f"/v1/jobs/{job_id}/chart.json", headers=auth)
                t_again = timed(client, f"/v1/jobs/{job_id}/chart.json", headers=auth)[1]
                cells = [f"{t_chart:9.2f}s", f"{t_again:6.2f}s"]
                for fmt in ("csv", "xlsx"):
                    out, took = timed(client, f"/v1/jobs/{job_id}/export",
                                      params={"format": fmt}, headers=auth)
                    cells.append(f"{took:6.2f}s" if out.status_code == 200
                                 else f"{out.status_code:>7}")
                what = chart.json().get("what") if chart.status_code == 200 else (
                    f"{chart.status_code} {chart.json()['error'][:40]}")
                print(f"{name:<46} {job['solution_status'] or job['status']:<8} "
                      f"{' '.join(cells)}  {what}")


if __name__ == "__main__":
    main()
