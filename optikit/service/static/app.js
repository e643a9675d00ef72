// The optikit web page's live parts: sign in with an API key, submit a problem, watch it,
// read it. The server renders the rest (types, samples, solvers: optikit/service/page.py).
"use strict";
(() => {
  const $ = sel => document.querySelector(sel);
  const charts = JSON.parse($("#type-charts").textContent);  // type -> its static charts
  const plotly = document.body.dataset.charts === "plotly" && window.Plotly;
  const plotConfig = { displaylogo: false, responsive: true };
  const state = { key: sessionStorage.getItem("optikit-key") || "", job: null, stream: null, points: null, charted: null, drawPending: false };

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
    await refreshJobs();
  }

  function signOut() {
    sessionStorage.removeItem("optikit-key");
    state.key = "";
    location.reload();
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

  // -- one job: live progress, summary, chart, downloads -------------------------------
  const live = job => job.status === "queued" || job.status === "running";

  async function openJob(id) {
    if (state.stream) state.stream.abort();
    state.points = { objective: [], bound: [] };
    state.charted = null;
    $("#job").hidden = false;
    $("#summary tbody").replaceChildren();
    $("#chart").replaceChildren();
    $("#chart-what").textContent = "";
    await showJob(id);
    follow(id, live(state.job));  // a finished job's stream replays its progress and ends
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
    $("#stop").hidden = !live(job);
    $("#downloads").hidden = !job.document;
    for (const button of document.querySelectorAll("#downloads button")) {
      button.hidden = button.id !== "download" && !(job.document && job.document.solution);
    }
    if (job.document) {
      const body = $("#summary tbody");
      body.replaceChildren();
      const rows = [["solution status", job.solution_status], ...(job.summary || [])];
      for (const [label, text] of rows) {
        const row = body.insertRow();
        row.insertCell().textContent = label;
        row.insertCell().textContent = text;
      }
      if (job.document.solution && state.charted !== job.id) {
        state.charted = job.id;
        showChart(job);
      }
    }
  }

  // The type's chart: interactive (plotly figure from the server), else its static SVG.
  async function showChart(job) {
    $("#chart").textContent = "drawing the chart...";
    try {
      if (plotly) {
        const answer = await (await api(`/v1/jobs/${job.id}/chart.json`)).json();
        $("#chart").replaceChildren();
        $("#chart-what").textContent = answer.what;
        await Plotly.newPlot($("#chart"), answer.figure.data, answer.figure.layout, plotConfig);
        return;
      }
      if (!(charts[job.type] || []).length) {
        $("#chart").textContent = "this problem type has no static chart";
        return;
      }
      const svg = await (await api(`/v1/jobs/${job.id}/chart.svg`)).blob();
      const img = document.createElement("img");
      img.alt = `${charts[job.type][0]} chart`;
      img.src = URL.createObjectURL(svg);
      $("#chart").replaceChildren(img);
    } catch (e) {
      $("#chart").textContent = `no chart: ${e.message}`;
    }
  }

  // Objective and bound over time, each a step line (a value holds until the next one).
  function drawProgress() {
    const pts = state.points, job = state.job;
    // A finished job's lines run to its end, with the final objective and bound.
    const end = job && !live(job) && job.document ? job.document.time_s || 0 : null;
    const ended = (points, value) => {
      if (end === null || value === null || value === undefined) return points;
      const last = points.length ? points[points.length - 1][0] : 0;
      return [...points, [Math.max(end, last), value]];
    };
    const objective = ended(pts.objective, job && job.objective);
    const bound = ended(pts.bound, job && job.bound);
    const series = [
      { name: "objective", color: "#05a", points: objective },
      { name: "bound", color: "#a60", points: bound },
    ];
    if (!plotly) {
      optikitChart.draw($("#progress"), series);
      return;
    }
    const traces = series.map(s => ({
      name: s.name, x: s.points.map(p => p[0]), y: s.points.map(p => p[1]),
      type: "scatter", mode: "lines+markers", line: { shape: "hv", color: s.color },
    }));
    Plotly.react($("#progress"), traces, {
      height: 260, margin: { l: 70, r: 20, t: 30, b: 40 },
      title: { text: "objective and bound over time", font: { size: 13 } },
      xaxis: { title: { text: "time (s)" }, rangemode: "tozero" }, yaxis: { title: { text: "objective" } },
      annotations: objective.length || bound.length ? [] :
        [{ text: "no incumbent yet", showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5 }],
    }, plotConfig);
  }

  // Server-Sent Events read with fetch (EventSource cannot send the API key).
  async function follow(id, wasLive) {
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
          handle(buffer.slice(0, cut), wasLive);
          buffer = buffer.slice(cut + 2);
        }
      }
    } catch (e) {
      if (e.name !== "AbortError") showError(e.message);
      return;
    }
    if (state.job && state.job.id === id) {
      if (wasLive) await showJob(id);
      drawProgress();
      if (wasLive) await refreshJobs();
    }
  }

  function handle(block, wasLive) {
    let kind = "message", data = null;
    for (const line of block.split("\n")) {
      if (line.startsWith("event: ")) kind = line.slice(7);
      else if (line.startsWith("data: ")) data = JSON.parse(line.slice(6));
    }
    if (!data) return;
    if (kind === "progress") {
      if (data.objective !== null) state.points.objective.push([data.time_s, data.objective]);
      if (data.bound !== null) state.points.bound.push([data.time_s, data.bound]);
      if (wasLive) {  // a replay of a finished job leaves its final figures shown
        $("#job-objective").textContent = fmt(data.objective);
        $("#job-bound").textContent = fmt(data.bound);
      }
      if (!state.drawPending) {  // at most one redraw a frame, however fast events come
        state.drawPending = true;
        requestAnimationFrame(() => { state.drawPending = false; drawProgress(); });
      }
    } else if (kind === "status" && wasLive) {
      $("#job-status").textContent = data.status;
    }
  }

  // A download needs the key in a header, so it is fetched and handed over as a blob.
  async function download(button) {
    const job = state.job;
    try {
      const blob = await (await api(`/v1/jobs/${job.id}/${button.dataset.url}`)).blob();
      const link = document.createElement("a");
      link.href = URL.createObjectURL(blob);
      link.download = `${job.name}${button.dataset.suffix}`;
      document.body.append(link);
      link.click();
      link.remove();
    } catch (e) {
      showError(e.message);
    }
  }

  // -- wiring --------------------------------------------------------------------------
  $("#signin-form").addEventListener("submit", e => { e.preventDefault(); signIn($("#key").value); });
  $("#submit-form").addEventListener("submit", submit);
  $("#signout").addEventListener("click", signOut);
  $("#stop").addEventListener("click", () => stopJob(state.job.id));
  for (const button of document.querySelectorAll("#downloads button")) {
    button.addEventListener("click", () => download(button));
  }
  setInterval(() => { if (state.key && !$("#app").hidden) refreshJobs().catch(() => {}); }, 5000);
  if (state.key) signIn(state.key);
})();
