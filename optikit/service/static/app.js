// The optikit web page: sign in with an API key, submit a problem, watch it, read it.
"use strict";
(() => {
  const $ = sel => document.querySelector(sel);
  const state = { key: sessionStorage.getItem("optikit-key") || "", types: [], job: null, stream: null, points: null };

  function showError(message) { $("#error").textContent = message || ""; }

  async function api(path, options = {}) {
    const headers = Object.assign({ Authorization: `Bearer ${state.key}` }, options.headers || {});
    const response = await fetch(path, Object.assign({}, options, { headers }));
    if (!response.ok) {
      let message = `${response.status} ${response.statusText}`;
      try { message = (await response.json()).error || message; } catch (e) { /* not JSON */ }
      const error = new Error(message);
      error.status = response.status;
      throw error;
    }
    return response;
  }

  // -- signing in ----------------------------------------------------------------------
  async function signIn(key) {
    state.key = key.trim();
    try {
      await api("/v1/jobs?limit=1");
    } catch (e) {
      $("#signin-panel").hidden = false;
      $("#app").hidden = true;
      showError(`sign-in failed: ${e.message}`);
      $("#signin-panel").append($("#error"));
      return;
    }
    sessionStorage.setItem("optikit-key", state.key);
    $("#signin-panel").hidden = true;
    $("#app").hidden = false;
    $("#app").insertBefore($("#error"), $("#app").children[1]);
    showError("");
    $("#who").textContent = `key ${state.key.split("_")[1] || ""}`;
    await loadTypes();
    await refreshJobs();
  }

  function signOut() {
    sessionStorage.removeItem("optikit-key");
    state.key = "";
    location.reload();
  }

  // -- problem types, samples and solvers ----------------------------------------------
  async function loadTypes() {
    state.types = (await (await api("/v1/types")).json()).types;
    const sample = $("#sample");
    sample.replaceChildren(new Option("(none)", ""));
    for (const t of state.types) {
      for (const s of t.samples) sample.append(new Option(`${t.name}: ${s.name}`, s.url));
    }
    const solvers = new Set(state.types.flatMap(t => t.solvers));
    const solver = $("#solver");
    solver.replaceChildren(new Option("(the type's default)", ""));
    for (const name of [...solvers].sort()) solver.append(new Option(name, name));
  }

  // -- submitting ----------------------------------------------------------------------
  async function submit(event) {
    event.preventDefault();
    showError("");
    const form = new FormData();
    const file = $("#file").files[0];
    if (file) {
      form.append("file", file, file.name);
    } else if ($("#sample").value) {
      const url = $("#sample").value;
      const text = await (await api(url)).text();
      form.append("file", new Blob([text]), url.split("/").pop());
    } else {
      showError("choose a problem file or a sample");
      return;
    }
    const params = new URLSearchParams();
    if ($("#solver").value) params.set("solver", $("#solver").value);
    if ($("#time-limit").value) params.set("time_limit", $("#time-limit").value);
    try {
      const job = await (await api(`/v1/jobs?${params}`, { method: "POST", body: form })).json();
      $("#file").value = "";
      await refreshJobs();
      await openJob(job.id);
    } catch (e) {
      showError(e.message);
    }
  }

  // -- the job list --------------------------------------------------------------------
  function fmt(v) { return v === null || v === undefined ? "-" : String(+(+v).toPrecision(8)); }

  async function refreshJobs() {
    const data = await (await api("/v1/jobs?limit=50")).json();
    const body = $("#jobs tbody");
    body.replaceChildren();
    for (const job of data.jobs) {
      const row = body.insertRow();
      row.dataset.id = job.id;
      for (const text of [job.name, job.type, job.status, fmt(job.objective), (job.created || "").slice(0, 19).replace("T", " ")]) {
        row.insertCell().textContent = text;
      }
      row.cells[2].className = `status-${job.status}`;
      const cell = row.insertCell();
      if (job.status === "queued" || job.status === "running") {
        const stop = document.createElement("button");
        stop.textContent = "Stop";
        stop.className = "stop";
        stop.addEventListener("click", e => { e.stopPropagation(); stopJob(job.id); });
        cell.append(stop);
      }
      row.addEventListener("click", () => openJob(job.id));
    }
  }

  async function stopJob(id) {
    try { await api(`/v1/jobs/${id}`, { method: "DELETE" }); } catch (e) { showError(e.message); }
    await refreshJobs();
    if (state.job && state.job.id === id) await showJob(id);
  }

  // -- one job: live progress, summary, chart, download ---------------------------------
  async function openJob(id) {
    if (state.stream) state.stream.abort();
    state.points = { objective: [], bound: [] };
    $("#job").hidden = false;
    $("#summary tbody").replaceChildren();
    $("#chart").replaceChildren();
    await showJob(id);
    if (state.job.status === "queued" || state.job.status === "running") follow(id);
    else drawProgress();
  }

  async function showJob(id) {
    const job = await (await api(`/v1/jobs/${id}`)).json();
    state.job = job;
    $("#job-name").textContent = job.name;
    $("#job-status").textContent = job.status;
    $("#job-status").className = `status-${job.status}`;
    $("#job-objective").textContent = fmt(job.objective);
    $("#job-bound").textContent = fmt(job.bound);
    $("#job-gap").textContent = job.gap === null ? "-" : `${(100 * job.gap).toFixed(2)} %`;
    $("#job-error").textContent = job.error || "";
    $("#stop").hidden = !(job.status === "queued" || job.status === "running");
    $("#download").hidden = !job.document;
    if (job.document) {
      const body = $("#summary tbody");
      body.replaceChildren();
      const rows = [["solution status", job.solution_status], ...(job.summary || [])];
      for (const [label, text] of rows) {
        const row = body.insertRow();
        row.insertCell().textContent = label;
        row.insertCell().textContent = text;
      }
      if (job.document.solution) showChart(job);
    }
  }

  async function showChart(job) {
    const type = state.types.find(t => t.name === job.type);
    if (!type || type.charts.length === 0) return;
    $("#chart").textContent = "drawing the chart...";
    try {
      const svg = await (await api(`/v1/jobs/${job.id}/chart.svg`)).blob();
      const img = document.createElement("img");
      img.alt = `${type.charts[0]} chart`;
      img.src = URL.createObjectURL(svg);
      $("#chart").replaceChildren(img);
    } catch (e) {
      $("#chart").textContent = `no chart: ${e.message}`;
    }
  }

  function drawProgress() {
    const pts = state.points;
    if (state.job && state.job.objective !== null && pts.objective.length === 0 && state.job.document) {
      pts.objective.push([state.job.document.time_s || 0, state.job.objective]);
    }
    optikitChart.draw($("#progress"), [
      { name: "objective", color: "#05a", points: pts.objective },
      { name: "bound", color: "#a60", points: pts.bound },
    ]);
  }

  // Server-Sent Events read with fetch (EventSource cannot send the API key).
  async function follow(id) {
    const controller = new AbortController();
    state.stream = controller;
    drawProgress();
    try {
      const response = await api(`/v1/jobs/${id}/events`, { signal: controller.signal });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          handle(buffer.slice(0, cut));
          buffer = buffer.slice(cut + 2);
        }
      }
    } catch (e) {
      if (e.name !== "AbortError") showError(e.message);
      return;
    }
    if (state.job && state.job.id === id) {
      await showJob(id);
      drawProgress();
      await refreshJobs();
    }
  }

  function handle(block) {
    let kind = "message", data = null;
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) kind = line.slice(7);
      else if (line.startsWith("data: ")) data = JSON.parse(line.slice(6));
    }
    if (!data) return;
    if (kind === "progress") {
      if (data.objective !== null) state.points.objective.push([data.time_s, data.objective]);
      if (data.bound !== null) state.points.bound.push([data.time_s, data.bound]);
      $("#job-objective").textContent = fmt(data.objective);
      $("#job-bound").textContent = fmt(data.bound);
      drawProgress();
    } else if (kind === "status") {
      $("#job-status").textContent = data.status;
    }
  }

  async function download() {
    const job = state.job;
    const blob = await (await api(`/v1/jobs/${job.id}/solution`)).blob();
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = `${job.name}.solution.json`;
    document.body.append(link);
    link.click();
    link.remove();
  }

  // -- wiring --------------------------------------------------------------------------
  $("#signin-form").addEventListener("submit", e => { e.preventDefault(); signIn($("#key").value); });
  $("#submit-form").addEventListener("submit", submit);
  $("#signout").addEventListener("click", signOut);
  $("#stop").addEventListener("click", () => stopJob(state.job.id));
  $("#download").addEventListener("click", download);
  setInterval(() => { if (state.key && !$("#app").hidden) refreshJobs().catch(() => {}); }, 5000);
  if (state.key) signIn(state.key);
})();
