// A small line chart drawn as SVG (no library, no network): objective and bound over time.
"use strict";
const optikitChart = (() => {
  const NS = "http://www.w3.org/2000/svg";
  function el(name, attrs, text) {
    const node = document.createElementNS(NS, name);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function fmt(v) { return Math.abs(v) >= 1e4 || (v !== 0 && Math.abs(v) < 1e-2) ? v.toExponential(2) : (+v.toFixed(3)).toString(); }
  // series: [{name, color, points: [[t, y], ...]}]
  function draw(container, series, width = 640, height = 240) {
    const pad = { l: 70, r: 110, t: 10, b: 30 };
    const all = series.flatMap(s => s.points);
    container.replaceChildren();
    const svg = el("svg", { width, height, viewBox: `0 0 ${width} ${height}`, role: "img" });
    svg.append(el("title", {}, "objective and bound over time"));
    if (all.length === 0) {
      svg.append(el("text", { x: 20, y: height / 2 }, "no incumbent yet"));
      container.append(svg);
      return svg;
    }
    let [t0, t1] = [0, Math.max(...all.map(p => p[0]))];
    let [y0, y1] = [Math.min(...all.map(p => p[1])), Math.max(...all.map(p => p[1]))];
    if (t1 <= t0) t1 = t0 + 1;
    if (y1 <= y0) { y0 -= 1; y1 += 1; }
    const x = t => pad.l + (t - t0) / (t1 - t0) * (width - pad.l - pad.r);
    const y = v => height - pad.b - (v - y0) / (y1 - y0) * (height - pad.t - pad.b);
    svg.append(el("line", { x1: pad.l, y1: height - pad.b, x2: width - pad.r, y2: height - pad.b, stroke: "#888" }));
    svg.append(el("line", { x1: pad.l, y1: pad.t, x2: pad.l, y2: height - pad.b, stroke: "#888" }));
    svg.append(el("text", { x: pad.l - 6, y: y(y1) + 4, "text-anchor": "end", "font-size": 11 }, fmt(y1)));
    svg.append(el("text", { x: pad.l - 6, y: y(y0) + 4, "text-anchor": "end", "font-size": 11 }, fmt(y0)));
    svg.append(el("text", { x: width - pad.r, y: height - 8, "text-anchor": "end", "font-size": 11 }, `${fmt(t1)} s`));
    series.forEach((s, i) => {
      if (s.points.length === 0) return;
      // a step line: each value holds until the next one arrives
      let d = "";
      s.points.forEach((p, k) => {
        d += k === 0 ? `M${x(p[0])},${y(p[1])}` : `H${x(p[0])}V${y(p[1])}`;
      });
      d += `H${x(t1)}`;
      svg.append(el("path", { d, fill: "none", stroke: s.color, "stroke-width": 2, class: `series-${s.name}` }));
      svg.append(el("text", { x: width - pad.r + 8, y: pad.t + 14 + 16 * i, fill: s.color, "font-size": 12 }, s.name));
    });
    container.append(svg);
    return svg;
  }
  return { draw };
})();
