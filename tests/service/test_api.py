"""The /v1 API through FastAPI's TestClient: jobs end to end, errors naming their field,
tenant isolation and the limits."""

from __future__ import annotations

import json
import time
from typing import Any

from tests.service.conftest import TOY, Served


def test_health_types_and_openapi(served: Served) -> None:
    assert served.client.get("/health").json()["status"] == "ok"
    types = {t["name"]: t for t in served.client.get("/v1/types").json()["types"]}
    toy = types["toy-knapsack"]
    assert toy["solvers"] == ["brute"] and toy["schema"]["properties"]["type"]["const"]
    assert "fjsp" in types and types["fjsp"]["samples"]
    sample = types["fjsp"]["samples"][0]
    assert served.client.get(sample["url"]).status_code == 200
    assert served.client.get("/v1/types/fjsp/samples/..%2F..%2Fpyproject.toml").status_code == 404
    spec = served.client.get("/openapi.json").json()
    assert spec["components"]["schemas"]["problem_toy_knapsack"]["required"][0] == "type"
    assert "/v1/jobs/{job_id}/events" in spec["paths"]
    assert served.client.get("/docs").status_code == 200


def test_a_job_runs_to_a_checked_document(served: Served) -> None:
    job_id = served.submit(time_limit=5)
    job = served.wait(job_id)
    assert job["status"] == "done", job
    document = job["document"]
    assert document["status"] == "optimal" and document["objective"] == 9
    assert sorted(document["solution"]["picked"]) == ["a", "b"]
    assert document["check"]["feasible"] is True
    assert job["summary"] == [["picked", "a, b"]]
    download = served.client.get(f"/v1/jobs/{job_id}/solution", headers=served.auth())
    assert download.json() == document
    assert "attachment" in download.headers["content-disposition"]
    events = served.client.get(f"/v1/jobs/{job_id}/events", headers=served.auth())
    assert events.headers["content-type"].startswith("text/event-stream")
    statuses = [json.loads(line[6:])["status"] for line in events.text.splitlines()
                if line.startswith("data: ") and '"status"' in line]
    assert statuses == ["queued", "running", "done"]
    listed = served.client.get("/v1/jobs", params={"limit": 1}, headers=served.auth()).json()
    assert listed["limit"] == 1 and len(listed["jobs"]) == 1 and listed["total"] >= 1


def test_upload_in_a_file_format_and_path_tricks_in_its_name(served: Served) -> None:
    text = json.dumps(TOY).encode()
    response = served.client.post(
        "/v1/jobs", files={"file": ("../../../etc/passwd.json", text, "application/json")},
        headers=served.auth())
    assert response.status_code == 202, response.text
    job = served.wait(response.json()["id"])
    assert job["status"] == "done" and job["name"] == "passwd"
    bad = served.client.post("/v1/jobs", files={"file": ("..\\evil.yaml", b"type: [", "x")},
                             headers=served.auth())
    assert bad.status_code == 422
    assert bad.json()["source"] == "evil.yaml"
    missing = served.client.post("/v1/jobs", files={"other": ("a.json", text, "x")},
                                 headers=served.auth())
    assert missing.status_code == 422 and missing.json()["field"] == "file"


def test_errors_name_the_field_like_the_cli(served: Served) -> None:
    post = served.client.post
    cases: list[tuple[dict[str, Any], dict[str, Any], str]] = [
        ({**TOY, "capacity": -1}, {}, "capacity"),
        ({**TOY, "items": "many"}, {}, "items"),
        ({"type": "no-such-type"}, {}, "type"),
        (TOY, {"solver": "nope"}, "solver"),
        (TOY, {"time_limit": "abc"}, "time_limit"),
        (TOY, {"time_limit": -3}, "time_limit"),
        (TOY, {"time_limit": 1e9}, "time_limit"),
        (TOY, {"option": "sleep"}, "option"),
        (TOY, {"option": "nonsense=1"}, "nonsense"),
    ]
    for document, params, field in cases:
        response = post("/v1/jobs", json=document, params=params, headers=served.auth())
        body = response.json()
        assert response.status_code == 422, (params, body)
        assert field in body.get("field", "") or field in body["error"], (field, body)
        assert "Traceback" not in response.text
    invalid = post("/v1/jobs", json={**TOY, "capacity": -1}, headers=served.auth()).json()
    assert invalid["error"].startswith("<body>: capacity:")


def test_hostile_bodies_get_a_bounded_4xx(served: Served) -> None:
    headers = {**served.auth(), "content-type": "application/json"}
    post = served.client.post
    huge = post("/v1/jobs", content=b"[" * 400_000, headers=headers)
    assert huge.status_code == 413
    nested = post("/v1/jobs", content=b"[" * 100_000 + b"]" * 100_000, headers=headers)
    assert nested.status_code in (413, 422)
    deep = post("/v1/jobs", content=b'{"a":' * 20_000 + b"1" + b"}" * 20_000, headers=headers)
    assert deep.status_code == 422 and "nested" in deep.json()["error"]
    for content in (b"[1, 2]", b'"text"', b"\xff\xfe", b"", b"NaN", b'{"type": 3}'):
        response = post("/v1/jobs", content=content, headers=headers)
        assert response.status_code == 422, (content, response.text)
        assert set(response.json()) <= {"error", "field", "source"}
    tagged = post("/v1/jobs", content=b"!!python/object:os.system {}",
                  headers={**served.auth(), "content-type": "application/yaml"})
    assert tagged.status_code == 422
    check = post("/v1/check", content=b"{", headers=headers)
    assert check.status_code == 422


def test_keys_and_tenant_isolation(served: Served) -> None:
    job_id = served.submit(tenant="acme")
    other = served.auth("globex")
    for method, path in (("GET", f"/v1/jobs/{job_id}"), ("DELETE", f"/v1/jobs/{job_id}"),
                         ("GET", f"/v1/jobs/{job_id}/events"),
                         ("GET", f"/v1/jobs/{job_id}/solution")):
        response = served.client.request(method, path, headers=other)
        assert response.status_code == 404, (method, path)
        assert response.json()["error"] == f"no job {job_id!r}"
    assert served.client.get("/v1/jobs/" + "f" * 32, headers=other).status_code == 404
    assert all(j["id"] != job_id for j in
               served.client.get("/v1/jobs", headers=other).json()["jobs"])
    assert served.client.get("/v1/jobs").status_code == 401
    assert served.client.get("/v1/jobs", headers={"Authorization": "Bearer x"}).status_code == 401
    store = served.service.store
    record, key = store.add_key("initech")
    headers = {"Authorization": f"Bearer {key}"}
    assert served.client.get("/v1/jobs", headers=headers).status_code == 200
    assert store.revoke_key(record.key_id)
    assert served.client.get("/v1/jobs", headers=headers).status_code == 401
    row = store._one("SELECT key_hash FROM api_keys WHERE key_id = ?", (record.key_id,))
    assert row is not None and key not in json.dumps(row) and len(row[0]) == 64
    served.wait(job_id)


def test_stop_keeps_the_best_answer_within_3_seconds(served: Served) -> None:
    job_id = served.submit(time_limit=25, option="sleep=20")
    served.wait(job_id, until=("running",))
    started = time.monotonic()
    response = served.client.delete(f"/v1/jobs/{job_id}", headers=served.auth())
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert time.monotonic() - started < 3.5
    job = served.wait(job_id)
    assert job["status"] == "cancelled" and job["document"]["interrupted"] is True
    assert job["document"]["status"] == "feasible"


def test_queue_limit_answers_429_with_retry_after(served: Served) -> None:
    ids = []
    response = None
    for _ in range(12):
        response = served.client.post("/v1/jobs", json=TOY, params={"option": "sleep=5"},
                                      headers=served.auth("globex"))
        if response.status_code != 202:
            break
        ids.append(response.json()["id"])
    assert response is not None and response.status_code == 429
    assert int(response.headers["retry-after"]) > 0
    for job_id in ids:  # a queued job is cancelled at once
        served.client.delete(f"/v1/jobs/{job_id}", headers=served.auth("globex"))
    for job_id in ids:
        assert served.wait(job_id, tenant="globex")["status"] in ("cancelled", "done")


def test_check_endpoint(served: Served) -> None:
    good = {"type": "toy-knapsack", "status": "feasible", "solution": {"picked": ["a"]}}
    bad = {**good, "solution": {"picked": ["a", "b", "c"]}}
    ok = served.client.post("/v1/check", json={"problem": TOY, "solution": good},
                            headers=served.auth()).json()
    assert ok["valid"] is True and ok["objective"] == 5
    wrong = served.client.post("/v1/check", json={"problem": TOY, "solution": bad},
                               headers=served.auth()).json()
    assert wrong["valid"] is False and wrong["violations"][0]["constraint"] == "capacity"
    missing = served.client.post("/v1/check", json={"problem": TOY}, headers=served.auth())
    assert missing.status_code == 422 and missing.json()["field"] == "solution"
