/* hyosan report viewer: plain JavaScript, no build step, no network.
 *
 * Reads the JSON block #hyosan-data (see payload.py), unpacks the per-place counts (gzip +
 * base64, inflated with the browser's DecompressionStream), and drives a map (grid heat map or
 * floor-plan panels on a canvas), a time-series chart with a marker at the current time, a
 * table of counts now, and the timeline of events. Every string from the run is put into the
 * page with textContent, never as markup.
 */
(function () {
  "use strict";

  const data = JSON.parse(document.getElementById("hyosan-data").textContent);
  const byId = (id) => document.getElementById(id);
  const STATES = ["human", "bitten", "zombie", "hybrid", "removed", "quarantined", "safe"];
  const UNIT_WORDS = { s: "s", min: "min", h: "h", d: "days" };

  // --- formatting ------------------------------------------------------------------------------

  function fmtUnit(t) {
    // A time in the run's one unit ("3.5 h"), chosen from its horizon.
    const v = t / data.unitSeconds;
    const text = v === 0 ? "0" : Math.abs(v) >= 100 ? v.toFixed(0) : String(Number(v.toPrecision(3)));
    return text + " " + (UNIT_WORDS[data.unit] || data.unit);
  }

  function fmtClock(t) {
    // The clock time of t ("day 1 08:30") for runs that have a clock; "" for the rest.
    if (data.clockStart === null || data.clockStart === undefined) return "";
    const total = data.clockStart + t;
    const day = Math.floor(total / 86400) + 1;
    const rest = total - (day - 1) * 86400;
    const hh = String(Math.floor(rest / 3600)).padStart(2, "0");
    const mm = String(Math.floor((rest % 3600) / 60)).padStart(2, "0");
    return "day " + day + " " + hh + ":" + mm;
  }

  function fmtTime(t) {
    // The run's unit first, and the clock beside it where the run has one.
    if (t === null || t === undefined || Number.isNaN(t)) return "never";
    const c = fmtClock(t);
    return c ? fmtUnit(t) + " (" + c + ")" : fmtUnit(t);
  }

  function fmtTick(t) {
    // An axis tick: the number alone (the axis title gives the unit).
    const v = t / data.unitSeconds;
    return v === 0 ? "0" : String(Number(v.toPrecision(4)));
  }

  function fmtCount(v) {
    if (v === null || v === undefined || Number.isNaN(v)) return "–";
    if (Number.isInteger(v)) return v.toLocaleString("en-US");
    return Math.abs(v) >= 100 ? Math.round(v).toLocaleString("en-US") : v.toPrecision(3);
  }

  function hexRgb(hex) {
    const h = hex.replace("#", "");
    return [parseInt(h.slice(0, 2), 16), parseInt(h.slice(2, 4), 16), parseInt(h.slice(4, 6), 16)];
  }

  const colourOf = (state) => data.colours[state] || data.colours.other;

  // --- unpacking -------------------------------------------------------------------------------

  async function unpack(b64, dtype) {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    const buf = await new Response(stream).arrayBuffer();
    switch (dtype) {
      case "u1": return new Uint8Array(buf);
      case "u2": return new Uint16Array(buf);
      case "u4": return new Uint32Array(buf);
      default: return new Float32Array(buf);
    }
  }

  function lowerIndex(arr, t) {
    // Index of the last element <= t (0 if none).
    let lo = 0;
    let hi = arr.length - 1;
    if (hi < 0 || t <= arr[0]) return 0;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (arr[mid] <= t) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  // --- the clock: one current time shared by every part ----------------------------------------

  const listeners = [];
  const clock = {
    times: [0],
    index: 0,
    get t() { return this.times[this.index]; },
    set(i) {
      const n = this.times.length;
      this.index = Math.max(0, Math.min(n - 1, i | 0));
      const slider = byId("slider");
      if (Number(slider.value) !== this.index) slider.value = String(this.index);
      byId("time-label").textContent = fmtTime(this.t);
      for (const f of listeners) f();
    },
    seekTime(t) { this.set(lowerIndex(this.times, t)); },
  };

  // --- the time-series chart -------------------------------------------------------------------

  const chart = {
    canvas: byId("chart"),
    hidden: new Set(),
    point: 0,
    box: null,
    range: null,
    drag: null,
    curves() {
      // [{state, t, mid, lo90, hi90, lo50, hi50}] for runs and ensembles alike.
      if (data.kind === "run") {
        return Object.keys(data.series.states).map((s) => ({
          state: s, t: data.series.t, mid: data.series.states[s],
        }));
      }
      const bands = data.bands[this.point] || {};
      return Object.keys(bands).map((s) => {
        const b = bands[s];
        return { state: s, t: b.t, mid: b.q50 || b.mean, lo90: b.q05, hi90: b.q95, lo50: b.q25, hi50: b.q75 };
      });
    },
    draw() {
      const c = this.canvas;
      const all = this.curves().filter((k) => !this.hidden.has(k.state));
      // Ensembles: one small panel per state, each with its own scale, so that no band hides
      // another state's median; runs: every state in one panel.
      const groups = data.kind === "ensemble" ? all.map((k) => [k]) : [all];
      const cols = groups.length <= 1 ? 1 : Math.min(3, groups.length);
      const rows = Math.max(1, Math.ceil(groups.length / cols));
      const want = data.kind === "ensemble" ? Math.max(280, rows * 210) : 280;
      if (Math.abs(c.clientHeight - want) > 1) c.style.height = want + "px";
      const dpr = window.devicePixelRatio || 1;
      const w = c.clientWidth;
      const h = c.clientHeight;
      if (c.width !== Math.round(w * dpr) || c.height !== Math.round(h * dpr)) {
        c.width = Math.round(w * dpr);
        c.height = Math.round(h * dpr);
      }
      const ctx = c.getContext("2d");
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.clearRect(0, 0, w, h);
      const tEnd = data.tEnd > 0 ? data.tEnd : 1;
      const [t0, t1] = this.range || [0, tEnd];
      const cw = w / cols, rh = h / rows;
      this.panels = [];
      groups.forEach((curves, i) => {
        const ox = (i % cols) * cw, oy = Math.floor(i / cols) * rh;
        // Room on the left for the y ticks and their title, below for the x ticks and theirs.
        const box = { left: ox + 78, top: oy + (groups.length > 1 ? 22 : 10), t0, t1 };
        box.pw = Math.max(10, cw - 78 - 16);
        box.ph = Math.max(10, rh - (box.top - oy) - 44);
        box.x0 = ox; box.x1 = ox + cw;
        const title = groups.length > 1 && curves[0] ? curves[0].state : null;
        this.panels.push(this.drawPanel(ctx, curves, box, title));
      });
      this.box = this.panels[0] || null;
      this.xTicks = this.box ? this.box.xTicks : [];
      this.yTicks = this.box ? this.box.yTicks : [];
      this.markLabels = this.box ? this.box.markLabels : [];
    },
    drawPanel(ctx, curves, box, title) {
      const { left, top, pw, ph, t0, t1 } = box;
      const log = byId("log").checked;
      let yMax = 0;
      for (const k of curves) {
        const arr = k.hi90 || k.mid;
        for (let i = 0; i < k.t.length; i++) {
          if (k.t[i] < t0 || k.t[i] > t1) continue;
          const v = arr[i];
          if (v !== null && v > yMax) yMax = v;
        }
      }
      if (yMax <= 0) yMax = 1;
      const yLog = (v) => Math.log10(1 + Math.max(0, v));
      const yTop = log ? yLog(yMax) : yMax * 1.05;
      const X = (t) => left + ((t - t0) / (t1 - t0)) * pw;
      const Y = (v) => top + ph - ((log ? yLog(v) : v) / yTop) * ph;
      if (title) {
        ctx.fillStyle = colourOf(title);
        ctx.font = "bold 12px system-ui, sans-serif";
        ctx.textAlign = "left";
        ctx.textBaseline = "bottom";
        ctx.fillText(title, left, top - 4);
      }
      // Axes, ticks and their titles.
      ctx.strokeStyle = "#d1d5db";
      ctx.fillStyle = "#6b7280";
      ctx.font = "11px system-ui, sans-serif";
      ctx.lineWidth = 1;
      ctx.textAlign = "right";
      ctx.textBaseline = "middle";
      // Ticks closer than a line of text to the one below are dropped: on a log scale 0 and 1
      // sit a third of a decade apart.
      let lastY = Infinity;
      const yTicks = [];
      for (const v of log ? logTicks(yMax) : niceTicks(0, yMax, Math.max(2, Math.floor(ph / 40)))) {
        const y = Y(v);
        if (y < top - 1 || y > top + ph + 1 || lastY - y < 14) continue;
        lastY = y;
        ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + pw, y); ctx.stroke();
        ctx.fillText(fmtCount(v), left - 6, y);
        yTicks.push({ text: fmtCount(v), y });
      }
      ctx.textBaseline = "top";
      const xTicks = [];
      const us = data.unitSeconds;
      let lastRight = -Infinity;
      for (const v of niceTicks(t0 / us, t1 / us, Math.max(2, Math.floor(pw / 90)))) {
        const t = v * us;
        if (t < t0 - 1e-9 || t > t1 + 1e-9) continue;
        const text = fmtTick(t);
        const tw = ctx.measureText(text).width;
        // Centred on its time, but pushed inside the panel at either end: never clipped.
        const x = Math.min(Math.max(X(t) - tw / 2, box.x0 + 2), box.x1 - 2 - tw);
        if (x < lastRight + 8) continue;
        lastRight = x + tw;
        ctx.textAlign = "left";
        ctx.fillText(text, x, top + ph + 6);
        ctx.beginPath(); ctx.moveTo(X(t), top + ph); ctx.lineTo(X(t), top + ph + 4); ctx.stroke();
        xTicks.push({ text, x, w: tw });
      }
      ctx.fillStyle = "#374151";
      ctx.font = "12px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.fillText(this.xTitle(), left + pw / 2, top + ph + 24);
      ctx.save();
      ctx.translate(box.x0 + 14, top + ph / 2);
      ctx.rotate(-Math.PI / 2);
      ctx.textBaseline = "middle";
      ctx.fillText(this.yTitle(log, !!title), 0, 0);
      ctx.restore();
      ctx.strokeStyle = "#9ca3af";
      ctx.strokeRect(left, top, pw, ph);
      ctx.save();
      ctx.beginPath(); ctx.rect(left, top, pw, ph); ctx.clip();
      // Bands, then lines.
      for (const k of curves) {
        const col = colourOf(k.state);
        for (const [lo, hi, a] of [[k.lo90, k.hi90, 0.15], [k.lo50, k.hi50, 0.3]]) {
          if (!lo || !hi) continue;
          ctx.globalAlpha = a;
          ctx.fillStyle = col;
          ctx.beginPath();
          for (let i = 0; i < k.t.length; i++) ctx.lineTo(X(k.t[i]), Y(hi[i] || 0));
          for (let i = k.t.length - 1; i >= 0; i--) ctx.lineTo(X(k.t[i]), Y(lo[i] || 0));
          ctx.closePath();
          ctx.fill();
        }
        ctx.globalAlpha = 1;
        ctx.strokeStyle = col;
        ctx.lineWidth = 1.8;
        ctx.beginPath();
        for (let i = 0; i < k.t.length; i++) {
          const v = k.mid[i];
          if (v === null) continue;
          ctx.lineTo(X(k.t[i]), Y(v));
        }
        ctx.stroke();
      }
      // Interventions: a dotted line at each, named in the first of a few rows where the name
      // has room (hyosan-city's four measures of day 2 share one time: one row named only the
      // first), beside its line, or before it near the right edge.
      ctx.font = "10px system-ui, sans-serif";
      ctx.textAlign = "left";
      ctx.textBaseline = "top";
      const MARK_ROWS = 4, MARK_LINE = 12;
      const rowRight = new Array(MARK_ROWS).fill(-Infinity);
      const markLabels = [];
      // In time order, so that each row's right end is where its last name ends.
      const marks = [...(data.marks || [])].sort((a, b) => a[0] - b[0]);
      for (const [t, name] of marks) {
        if (t < t0 || t > t1) continue;
        const mx = X(t);
        ctx.strokeStyle = "#7c3aed";
        ctx.lineWidth = 1;
        ctx.setLineDash([2, 2]);
        ctx.beginPath(); ctx.moveTo(mx, top); ctx.lineTo(mx, top + ph); ctx.stroke();
        ctx.setLineDash([]);
        const tw = ctx.measureText(name).width;
        const lx = mx + 3 + tw < left + pw ? mx + 3 : mx - 3 - tw;
        if (lx < left) continue;
        const row = rowRight.findIndex((right) => lx > right);
        if (row < 0) continue;
        ctx.fillStyle = "#5b21b6";
        ctx.fillText(name, lx, top + 2 + row * MARK_LINE);
        rowRight[row] = lx + tw + 6;
        markLabels.push({ text: name, x: lx, y: top + 2 + row * MARK_LINE, w: tw, h: MARK_LINE });
      }
      // The current time.
      const x = X(clock.t);
      ctx.strokeStyle = "#111827";
      ctx.lineWidth = 1.2;
      ctx.setLineDash([4, 3]);
      ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + ph); ctx.stroke();
      ctx.setLineDash([]);
      for (const k of curves) {
        const i = lowerIndex(k.t, clock.t);
        const v = k.mid[i];
        if (v === null || v === undefined) continue;
        ctx.fillStyle = colourOf(k.state);
        ctx.beginPath(); ctx.arc(X(k.t[i]), Y(v), 3.5, 0, 2 * Math.PI); ctx.fill();
      }
      // The range being dragged out, to zoom into.
      if (this.drag && Math.abs(this.drag.x1 - this.drag.x0) > 3) {
        const a = Math.max(left, Math.min(this.drag.x0, this.drag.x1) - this.drag.ox + box.x0);
        ctx.fillStyle = "rgba(59,130,246,0.15)";
        ctx.fillRect(a, top, Math.abs(this.drag.x1 - this.drag.x0), ph);
      }
      ctx.restore();
      return { ...box, xTicks, yTicks, markLabels };
    },
    xTitle() {
      const words = { s: "seconds", min: "minutes", h: "hours", d: "days" };
      const since = data.clockStart !== null && data.clockStart !== undefined ? " since " + fmtClock(0) : "";
      return "time (" + (words[data.unit] || data.unit) + since + ")";
    },
    yTitle(log, small) {
      const what = data.kind === "ensemble" ? "people (median, 50 %, 90 %)" : "people";
      return what + (log ? ", log scale" : "");
    },
    panelAt(clientX) {
      const r = this.canvas.getBoundingClientRect();
      const x = clientX - r.left;
      return (this.panels || []).find((p) => x >= p.x0 && x < p.x1) || this.box;
    },
    timeAt(clientX) {
      const r = this.canvas.getBoundingClientRect();
      const b = this.panelAt(clientX);
      const f = Math.max(0, Math.min(1, (clientX - r.left - b.left) / b.pw));
      return b.t0 + f * (b.t1 - b.t0);
    },
    zoom(t0, t1) {
      // Show [t0, t1] (s); null: the whole run.
      this.range = t0 === null ? null : [Math.max(0, t0), Math.min(data.tEnd || t1, t1)];
      byId("zoom-reset").hidden = this.range === null;
      this.draw();
    },
    legend() {
      const box = byId("chart-legend");
      box.replaceChildren();
      for (const k of this.curves()) {
        const b = document.createElement("button");
        b.type = "button";
        b.className = "entry" + (this.hidden.has(k.state) ? " off" : "");
        const sw = document.createElement("span");
        sw.className = "swatch";
        sw.style.background = colourOf(k.state);
        b.append(sw, document.createTextNode(k.state + (data.kind === "ensemble" ? " (median, 50 %, 90 %)" : "")));
        b.addEventListener("click", () => {
          if (this.hidden.has(k.state)) this.hidden.delete(k.state); else this.hidden.add(k.state);
          this.legend();
          this.draw();
        });
        box.append(b);
      }
    },
    init() {
      byId("log").checked = !!data.log;
      byId("log").addEventListener("change", () => this.draw());
      // Drag across the chart to zoom into that stretch of time; a click moves the clock there;
      // a double click, or "whole run", zooms out again.
      this.canvas.addEventListener("mousedown", (ev) => {
        if (!this.box) return;
        const r = this.canvas.getBoundingClientRect();
        const ox = this.panelAt(ev.clientX).x0;
        this.drag = { x0: ev.clientX - r.left, x1: ev.clientX - r.left, ox, t0: this.timeAt(ev.clientX) };
      });
      this.canvas.addEventListener("mousemove", (ev) => {
        if (!this.drag) return;
        this.drag.x1 = ev.clientX - this.canvas.getBoundingClientRect().left;
        this.draw();
      });
      window.addEventListener("mouseup", (ev) => {
        if (!this.drag) return;
        const d = this.drag;
        this.drag = null;
        const t1 = this.timeAt(ev.clientX);
        if (Math.abs(d.x1 - d.x0) > 5 && Math.abs(t1 - d.t0) > 0) this.zoom(Math.min(d.t0, t1), Math.max(d.t0, t1));
        else clock.seekTime(d.t0);
      });
      this.canvas.addEventListener("dblclick", () => this.zoom(null));
      byId("zoom-reset").addEventListener("click", () => this.zoom(null));
      this.legend();
      listeners.push(() => this.draw());
      window.addEventListener("resize", () => this.draw());
    },
  };

  function niceTicks(lo, hi, n) {
    const span = hi - lo || 1;
    const step0 = span / n;
    const mag = Math.pow(10, Math.floor(Math.log10(step0)));
    const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= step0) || step0;
    const out = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi * 1.0001; v += step) out.push(Number(v.toPrecision(12)));
    return out;
  }

  function logTicks(hi) {
    const out = [0];
    for (let v = 1; v <= hi * 1.0001; v *= 10) out.push(v);
    return out;
  }

  // --- the counts table ------------------------------------------------------------------------

  const counts = {
    rows: {},
    init() {
      const body = byId("counts").querySelector("tbody");
      const states = data.kind === "run" ? Object.keys(data.series.states) : Object.keys(data.bands[0] || {});
      for (const s of states) {
        const tr = document.createElement("tr");
        tr.dataset.state = s;
        const name = document.createElement("td");
        const sw = document.createElement("span");
        sw.className = "swatch";
        sw.style.cssText = "display:inline-block;width:0.7rem;height:0.7rem;margin-right:0.3rem;border-radius:2px";
        sw.style.background = colourOf(s);
        name.append(sw, document.createTextNode(s));
        const val = document.createElement("td");
        tr.append(name, val);
        body.append(tr);
        this.rows[s] = val;
      }
      listeners.push(() => this.update());
    },
    update() {
      if (data.kind === "run") {
        const i = lowerIndex(data.series.t, clock.t);
        for (const s in this.rows) this.rows[s].textContent = fmtCount(data.series.states[s][i]);
        return;
      }
      const bands = data.bands[chart.point] || {};
      for (const s in this.rows) {
        const b = bands[s];
        if (!b) { this.rows[s].textContent = "–"; continue; }
        const i = lowerIndex(b.t, clock.t);
        const mid = (b.q50 || b.mean)[i];
        const range = b.q05 && b.q95 ? " [" + fmtCount(b.q05[i]) + "–" + fmtCount(b.q95[i]) + "]" : "";
        this.rows[s].textContent = fmtCount(mid) + range;
      }
    },
  };

  // --- the map ---------------------------------------------------------------------------------

  const map = {
    canvas: byId("map"),
    places: data.places,
    ready: false,
    hover: -1,
    doorMarks: [],
    keys: [],
    init: async function () {
      const P = this.places;
      this.nComp = P.compartments.length;
      this.n = P.n;
      this.counts = await unpack(P.counts, P.dtype);
      this.first = await unpack(P.firstZombie, "f4");
      this.population = await unpack(P.population, "f4");
      // Largest head count of any place at any time: colours fade the same way in every frame.
      this.top = 0;
      const nFrames = P.times.length;
      for (let f = 0; f < nFrames; f++) {
        for (let p = 0; p < this.n; p++) {
          let tot = 0;
          for (let c = 0; c < this.nComp; c++) tot += this.counts[(f * this.nComp + c) * this.n + p];
          if (tot > this.top) this.top = tot;
        }
      }
      this.lastArrival = 0;
      for (const v of this.first) if (!Number.isNaN(v) && v > this.lastArrival) this.lastArrival = v;
      this.palette = P.compStates.map((s) => hexRgb(colourOf(s)));
      this.weights = P.compStates.map((s) => (s in data.weights ? data.weights[s] : 1));
      if (P.kind === "grid") {
        const cells = await unpack(P.grid.cell, "u4");
        this.cells = cells;
        this.lookup = new Int32Array(P.grid.rows * P.grid.cols).fill(-1);
        for (let p = 0; p < cells.length; p++) this.lookup[cells[p]] = p;
        this.off = document.createElement("canvas");
        this.off.width = P.grid.cols;
        this.off.height = P.grid.rows;
        this.image = this.off.getContext("2d").createImageData(P.grid.cols, P.grid.rows);
      }
      this.mode = byId("mode") ? byId("mode").value : "outbreak";
      if (byId("mode")) byId("mode").addEventListener("change", (ev) => { this.mode = ev.target.value; this.legend(); this.draw(); });
      this.canvas.addEventListener("mousemove", (ev) => this.onHover(ev));
      this.canvas.addEventListener("mouseleave", () => { this.hover = -1; byId("tooltip").hidden = true; });
      window.addEventListener("resize", () => this.draw());
      listeners.push(() => { this.draw(); this.tooltip(); });
      this.ready = true;
      this.legend();
    },
    frameOf() {
      // Snapshot frame shown at the clock's time: the last one at or before it.
      return lowerIndex(this.places.times, clock.t);
    },
    count(f, c, p) { return this.counts[(f * this.nComp + c) * this.n + p]; },
    colour(f, p) {
      const empty = data.empty;
      if (this.mode === "arrival") {
        const t = this.first[p];
        if (Number.isNaN(t)) return [205, 205, 205];
        if (t > clock.t) return [236, 236, 236];
        return ramp(this.lastArrival > 0 ? t / this.lastArrival : 0);
      }
      let wsum = 0, r = 0, g = 0, b = 0, people = 0;
      for (let c = 0; c < this.nComp; c++) {
        const v = this.count(f, c, p);
        if (v <= 0) continue;
        people += v;
        const w = v * this.weights[c];
        wsum += w;
        r += w * this.palette[c][0]; g += w * this.palette[c][1]; b += w * this.palette[c][2];
      }
      if (people <= 0 || wsum <= 0) return empty;
      const a = 0.35 + 0.65 * (this.top > 0 ? Math.log1p(people) / Math.log1p(this.top) : 0);
      return [a * r / wsum + (1 - a) * empty[0], a * g / wsum + (1 - a) * empty[1], a * b / wsum + (1 - a) * empty[2]];
    },
    layoutPanels(width) {
      // Panels in columns: as few as keep the drawing no taller than 1300 px. Rooms are drawn
      // to scale inside; labels that do not fit in a room go beside it or into the key below.
      // A floor takes its share of its column, from where it lies along the building (its
      // offset), so that the floors are drawn at one scale and line up.
      const panels = this.places.points.panels;
      const gap = 10, titleH = 18, m = 4;
      let best = null;
      for (let cols = 1; cols <= 4; cols++) {
        const pw = (width - gap * (cols - 1)) / cols;
        const boxes = [];
        let y = 0;
        for (let r = 0; r * cols < panels.length; r++) {
          let rowH = 0;
          for (let c = 0; c < cols && r * cols + c < panels.length; c++) {
            const i = r * cols + c;
            const share = panels[i].share || 1, offset = panels[i].offset || 0;
            const iw = (pw - 2 * m) * share;
            const inner = Math.max(30, Math.min(pw * 1.2, iw / panels[i].aspect));
            const h = inner + 2 * m;
            const x = c * (pw + gap) + (pw - 2 * m) * offset;
            boxes[i] = { x, y: y + titleH, w: iw + 2 * m, h, mx: m, mt: m, mb: m };
            rowH = Math.max(rowH, h + titleH);
          }
          y += rowH + gap;
        }
        best = { boxes, height: y };
        if (y <= 1300) break;
      }
      return best;
    },
    placeBox(p) {
      // Centre and half-width and half-height (CSS pixels) of a place's rectangle.
      const pts = this.places.points;
      const b = this.layout.boxes[pts.panel[p]];
      const iw = b.w - 2 * b.mx, ih = b.h - b.mt - b.mb;
      const cx = b.x + b.mx + pts.u[p] * iw;
      const cy = b.y + b.mt + (1 - pts.v[p]) * ih;
      return [cx, cy, Math.max(2, (pts.w[p] * iw) / 2), Math.max(2, (pts.h[p] * ih) / 2)];
    },
    draw() {
      if (!this.ready) return;
      const c = this.canvas;
      const dpr = window.devicePixelRatio || 1;
      const width = c.clientWidth || 640;
      const P = this.places;
      let height;
      if (P.kind === "grid") {
        height = Math.min(720, Math.max(160, (width * P.grid.rows) / P.grid.cols));
      } else {
        this.layout = this.layoutPanels(width);
        this.layoutWidth = width;
        height = this.layout.height;
      }
      if (Math.abs(c.clientHeight - height) > 1) c.style.height = height + "px";
      if (c.width !== Math.round(width * dpr) || c.height !== Math.round(height * dpr)) {
        c.width = Math.round(width * dpr);
        c.height = Math.round(height * dpr);
      }
      const ctx = c.getContext("2d");
      ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, width, height);
      const f = this.frameOf();
      if (P.kind === "grid") this.drawGrid(ctx, f, width, height);
      else this.drawPoints(ctx, f);
    },
    drawGrid(ctx, f, width, height) {
      const P = this.places;
      const px = this.image.data;
      px.fill(255);
      for (let p = 0; p < this.n; p++) {
        const col = this.colour(f, p);
        const o = this.cells[p] * 4;
        px[o] = col[0]; px[o + 1] = col[1]; px[o + 2] = col[2]; px[o + 3] = 255;
      }
      this.off.getContext("2d").putImageData(this.image, 0, 0);
      const scale = Math.min(width / P.grid.cols, height / P.grid.rows);
      const w = P.grid.cols * scale, h = P.grid.rows * scale;
      this.gridBox = { x: (width - w) / 2, y: (height - h) / 2, scale };
      ctx.imageSmoothingEnabled = false;
      ctx.drawImage(this.off, this.gridBox.x, this.gridBox.y, w, h);
      ctx.strokeStyle = "#e5e7eb";
      ctx.strokeRect(this.gridBox.x, this.gridBox.y, w, h);
      if (this.hover >= 0) {
        const cell = this.cells[this.hover];
        const r = Math.floor(cell / P.grid.cols), cc = cell % P.grid.cols;
        ctx.strokeStyle = "#111827";
        ctx.lineWidth = 1.5;
        ctx.strokeRect(this.gridBox.x + cc * scale - 1, this.gridBox.y + r * scale - 1, scale + 2, scale + 2);
      }
      if (P.grid.context) this.drawContext(ctx, P.grid.context, width, height);
    },
    drawContext(ctx, g, width, height) {
      // Where the grid lies: cordons, city names that do not overlap, and a scale bar.
      const { x, y, scale } = this.gridBox;
      const at = (r, c) => [x + c * scale, y + r * scale];
      ctx.save();
      for (const [name, r, c, rad] of g.cordons) {
        const [cx, cy] = at(r, c);
        ctx.strokeStyle = "#7c3aed";
        ctx.lineWidth = 2;
        ctx.setLineDash([5, 3]);
        ctx.beginPath(); ctx.arc(cx, cy, Math.max(3, rad * scale), 0, 2 * Math.PI); ctx.stroke();
        ctx.setLineDash([]);
        ctx.font = "bold 11px system-ui, sans-serif";
        ctx.fillStyle = "#5b21b6";
        ctx.textAlign = "left";
        ctx.textBaseline = "bottom";
        ctx.fillText(name, cx + rad * scale * 0.75 + 3, cy - rad * scale * 0.75);
      }
      ctx.font = LABEL_FONT;
      ctx.textBaseline = "middle";
      ctx.lineJoin = "round";
      const placed = [];
      this.gridLabels = [];
      for (const [name, r, c] of g.landmarks) {
        const [cx, cy] = at(r, c);
        const w = ctx.measureText(name).width + 2, h = LINE_H;
        const box = { x: cx + 4, y: cy - h / 2, w, h };
        if (box.x + w > width || box.y < 0 || box.y + h > height) continue;
        if (placed.some((o) => overlaps(box, o))) continue;
        placed.push(box);
        this.gridLabels.push({ text: name, ...box });
        ctx.fillStyle = "#111827";
        ctx.beginPath(); ctx.arc(cx, cy, 2, 0, 2 * Math.PI); ctx.fill();
        ctx.strokeStyle = "rgba(255,255,255,0.9)";
        ctx.lineWidth = 3;
        ctx.textAlign = "left";
        ctx.strokeText(name, box.x + 1, cy);
        ctx.fillText(name, box.x + 1, cy);
      }
      // Scale bar: a round number of kilometres, about a sixth of the map wide.
      const kmPerPx = g.cellKm / scale;
      const want = (P_WIDTH_SHARE * this.places.grid.cols * scale) * kmPerPx;
      const km = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000].reduce((a, b) => (Math.abs(b - want) < Math.abs(a - want) ? b : a));
      const len = km / kmPerPx;
      const bx = x + 10, by = y + this.places.grid.rows * scale - 14;
      ctx.fillStyle = "#111827";
      ctx.fillRect(bx, by, len, 3);
      ctx.textAlign = "left";
      ctx.textBaseline = "bottom";
      ctx.font = "11px system-ui, sans-serif";
      ctx.fillText(km + " km", bx, by - 2);
      this.scaleBar = { km, px: len };
      ctx.restore();
    },
    latLon(p) {
      // The latitude and longitude of a drawn cell's centre, and the nearest named place.
      const g = this.places.grid.context;
      const cell = this.cells[p], cols = this.places.grid.cols;
      const r = Math.floor(cell / cols) + 0.5, c = (cell % cols) + 0.5;
      const lat = g.latNorth - r * g.dlat, lon = g.lonWest + c * g.dlon;
      let near = null, best = 3;
      for (const [name, lr, lc] of g.landmarks) {
        const d = Math.hypot(lr - r, lc - c);
        if (d < best) { best = d; near = name; }
      }
      return lat.toFixed(2) + "°N " + lon.toFixed(2) + "°E" + (near ? ", near " + near : "");
    },
    computeLabels(ctx) {
      // Every place gets its whole name, in its room or beside it, where it overlaps no other
      // label (nor, beside a room, another room); else a number, spelled out in the key below.
      const pts = this.places.points;
      ctx.font = LABEL_FONT;
      const rects = [];
      for (let p = 0; p < this.n; p++) {
        const [cx, cy, hw, hh] = this.placeBox(p);
        rects.push({ x: cx - hw, y: cy - hh, w: 2 * hw, h: 2 * hh, cx, cy, hw, hh });
      }
      const placed = [];
      const labels = new Array(this.n).fill(null);
      const free = (box, own, outside) => {
        const panel = this.layout.boxes[pts.panel[own]];
        if (box.x < panel.x || box.y < panel.y || box.x + box.w > panel.x + panel.w || box.y + box.h > panel.y + panel.h) return false;
        for (const o of placed) if (overlaps(box, o)) return false;
        if (outside) {
          for (let q = 0; q < this.n; q++) if (q !== own && pts.panel[q] === pts.panel[own] && overlaps(box, rects[q])) return false;
        }
        return true;
      };
      const spots = (p, lines) => {
        // Candidate boxes for `lines` of text: inside the room, then below, above, right, left.
        const r = rects[p];
        const w = Math.max(...lines.map((s) => ctx.measureText(s).width)) + 2;
        const h = lines.length * LINE_H;
        const out = [];
        if (w <= r.w - 2 && h <= r.h - 2) out.push([{ x: r.cx - w / 2, y: r.cy - h / 2, w, h }, false]);
        out.push([{ x: r.cx - w / 2, y: r.y + r.h + 1, w, h }, true]);
        out.push([{ x: r.cx - w / 2, y: r.y - h - 1, w, h }, true]);
        out.push([{ x: r.x + r.w + 2, y: r.cy - h / 2, w, h }, true]);
        out.push([{ x: r.x - w - 2, y: r.cy - h / 2, w, h }, true]);
        return out;
      };
      const tryPlace = (p, variants, key) => {
        for (const lines of variants) {
          for (const [box, outside] of spots(p, lines)) {
            if (!outside || variants.length === 1 || lines.length === 1) {
              if (free(box, p, outside)) {
                labels[p] = { p, lines, key, x: box.x, y: box.y, w: box.w, h: box.h };
                placed.push(box);
                return true;
              }
            }
          }
        }
        return false;
      };
      // Small rooms first: big ones have room for their names whatever comes after them.
      const order = [...Array(this.n).keys()].sort((a, b) => rects[a].w * rects[a].h - rects[b].w * rects[b].h);
      const inside = (p, lines) => {
        const s = spots(p, lines)[0];
        return !s[1] && free(s[0], p, false) ? s[0] : null;
      };
      // Names inside their rooms first (one line, or two), then beside, then numbers.
      const rest = [];
      for (const p of order) {
        const name = pts.labels[p];
        let done = false;
        for (const lines of [[name], splitName(name)]) {
          const box = lines.length && inside(p, lines);
          if (box) { labels[p] = { p, lines, key: null, x: box.x, y: box.y, w: box.w, h: box.h }; placed.push(box); done = true; break; }
        }
        if (!done) rest.push(p);
      }
      const keyed = [];
      for (const p of rest) if (!tryPlace(p, [[pts.labels[p]]], null)) keyed.push(p);
      this.keys = [];
      // Each place's own number, first-zombie.png's too (a report without them: 1, 2, ...).
      const number = (p, i) => (pts.numbers ? pts.numbers[p] : i + 1);
      keyed.sort((a, b) => number(a, a) - number(b, b));
      keyed.forEach((p, i) => {
        const key = String(number(p, i));
        this.keys.push([key, pts.labels[p]]);
        if (!tryPlace(p, [[key]], key)) labels[p] = { p, lines: [], key, x: rects[p].cx, y: rects[p].cy, w: 0, h: 0 };
      });
      this.labels = labels;
      this.keyList();
    },
    keyList() {
      const list = byId("map-keys");
      if (!list) return;
      list.replaceChildren();
      list.hidden = this.keys.length === 0;
      for (const [key, name] of this.keys) {
        const li = document.createElement("li");
        const k = document.createElement("b");
        k.textContent = key;
        li.append(k, document.createTextNode(" " + name));
        list.append(li);
      }
    },
    drawPoints(ctx, f) {
      const pts = this.places.points;
      ctx.font = "12px system-ui, sans-serif";
      ctx.textBaseline = "bottom";
      ctx.textAlign = "left";
      pts.panels.forEach((panel, k) => {
        const b = this.layout.boxes[k];
        ctx.fillStyle = "#f9fafb";
        ctx.fillRect(b.x, b.y, b.w, b.h);
        ctx.strokeStyle = "#d1d5db";
        ctx.lineWidth = 1;
        ctx.strokeRect(b.x + 0.5, b.y + 0.5, b.w - 1, b.h - 1);
        ctx.fillStyle = "#374151";
        ctx.fillText(panel.title + (panel.scaled ? " (far places drawn closer)" : ""), b.x + 2, b.y - 3);
      });
      // Passages under the rooms: visible between them, with a mark where they leave a room.
      const boxes = [];
      for (let p = 0; p < this.n; p++) boxes.push(this.placeBox(p));
      for (const [a, b, kind] of pts.passages || []) {
        const [ax, ay, aw, ah] = boxes[a], [bx, by] = boxes[b];
        const style = PASSAGE_STYLES[kind] || PASSAGE_STYLES.door;
        ctx.strokeStyle = style.colour;
        ctx.lineWidth = style.width;
        ctx.setLineDash(style.dash);
        ctx.beginPath(); ctx.moveTo(ax, ay); ctx.lineTo(bx, by); ctx.stroke();
        ctx.setLineDash([]);
        const dx = bx - ax, dy = by - ay;
        const t = Math.min(dx ? aw / Math.abs(dx) : Infinity, dy ? ah / Math.abs(dy) : Infinity);
        if (t < 1 && !style.plain) this.doorMarks.push([ax + t * dx, ay + t * dy, style.colour]);
      }
      for (let p = 0; p < this.n; p++) {
        const [cx, cy, hw, hh] = boxes[p];
        const col = this.colour(f, p);
        ctx.fillStyle = "rgb(" + col[0] + "," + col[1] + "," + col[2] + ")";
        ctx.fillRect(cx - hw, cy - hh, 2 * hw, 2 * hh);
        const kind = (pts.kinds || [])[p];
        if (kind === "stairs") hatch(ctx, cx - hw, cy - hh, 2 * hw, 2 * hh);
        ctx.strokeStyle = p === this.hover ? "#111827" : kind === "exit" ? "#047857" : "#6b7280";
        ctx.lineWidth = p === this.hover ? 2 : kind === "exit" ? 2.5 : 0.7;
        ctx.strokeRect(cx - hw, cy - hh, 2 * hw, 2 * hh);
      }
      for (const [x, y, colour] of this.doorMarks) {
        ctx.fillStyle = colour;
        ctx.fillRect(x - 2.5, y - 2.5, 5, 5);
      }
      this.doorMarks = [];
      if (!this.labels || this.labelWidth !== this.layoutWidth) {
        this.computeLabels(ctx);
        this.labelWidth = this.layoutWidth;
      }
      ctx.font = LABEL_FONT;
      ctx.textAlign = "center";
      ctx.textBaseline = "top";
      ctx.lineJoin = "round";
      for (const lab of this.labels) {
        if (!lab || !lab.lines.length) continue;
        lab.lines.forEach((line, i) => {
          const x = lab.x + lab.w / 2, y = lab.y + i * LINE_H;
          ctx.strokeStyle = "rgba(255,255,255,0.85)";
          ctx.lineWidth = 3;
          ctx.strokeText(line, x, y);
          ctx.fillStyle = lab.key ? "#1d4ed8" : "#111827";
          ctx.fillText(line, x, y);
        });
      }
    },
    placeAt(x, y) {
      const P = this.places;
      if (P.kind === "grid") {
        const g = this.gridBox;
        if (!g) return -1;
        const c = Math.floor((x - g.x) / g.scale), r = Math.floor((y - g.y) / g.scale);
        if (c < 0 || r < 0 || c >= P.grid.cols || r >= P.grid.rows) return -1;
        return this.lookup[r * P.grid.cols + c];
      }
      // The smallest room under the mouse (a stairwell drawn on the roof wins over the roof).
      let best = -1, bestA = Infinity;
      for (let p = 0; p < this.n; p++) {
        const [cx, cy, hw, hh] = this.placeBox(p);
        if (Math.abs(x - cx) <= hw + 2 && Math.abs(y - cy) <= hh + 2 && hw * hh < bestA) { best = p; bestA = hw * hh; }
      }
      return best;
    },
    screenOf(p) {
      // Where place p is drawn, in page coordinates relative to the canvas (for tests).
      const P = this.places;
      if (P.kind === "grid") {
        const cell = this.cells[p], g = this.gridBox;
        return [g.x + ((cell % P.grid.cols) + 0.5) * g.scale, g.y + (Math.floor(cell / P.grid.cols) + 0.5) * g.scale];
      }
      const [cx, cy] = this.placeBox(p);
      return [cx, cy];
    },
    onHover(ev) {
      const r = this.canvas.getBoundingClientRect();
      this.hoverXY = [ev.clientX - r.left, ev.clientY - r.top];
      const p = this.placeAt(this.hoverXY[0], this.hoverXY[1]);
      if (p !== this.hover) { this.hover = p; this.draw(); }
      this.tooltip();
    },
    tooltip() {
      const tip = byId("tooltip");
      if (this.hover < 0 || !this.hoverXY) { tip.hidden = true; return; }
      const P = this.places, p = this.hover, f = this.frameOf();
      const lines = [];
      if (P.kind === "grid") {
        const cell = this.cells[p];
        const r = Math.floor(cell / P.grid.cols), c = cell % P.grid.cols;
        const b = P.grid.block;
        if (P.grid.context) lines.push(this.latLon(p));
        lines.push(b > 1 ? "rows " + r * b + "–" + (r * b + b - 1) + ", cols " + c * b + "–" + (c * b + b - 1) : "row " + r + ", col " + c);
      } else {
        lines.push(P.points.labels[p]);
      }
      lines.push("at " + fmtTime(P.times[f]));
      let people = 0;
      for (let c = 0; c < this.nComp; c++) {
        const v = this.count(f, c, p);
        people += v;
        lines.push(P.compartments[c] + " (" + P.compStates[c] + "): " + fmtCount(v));
      }
      lines.push("first zombie: " + fmtTime(Number.isNaN(this.first[p]) ? null : this.first[p]));
      tip.textContent = lines.join("\n");
      tip.hidden = false;
      const wrap = byId("map-wrap").getBoundingClientRect();
      const cr = this.canvas.getBoundingClientRect();
      let x = cr.left - wrap.left + this.hoverXY[0] + 14;
      const y = cr.top - wrap.top + this.hoverXY[1] + 14;
      if (x + tip.offsetWidth > wrap.width) x = Math.max(0, x - tip.offsetWidth - 28);
      tip.style.left = x + "px";
      tip.style.top = y + "px";
    },
    legend() {
      const box = byId("map-legend");
      box.replaceChildren();
      if (this.mode === "arrival") {
        const ramp = document.createElement("span");
        ramp.className = "ramp";
        const stops = [0, 0.25, 0.5, 0.75, 1].map((v) => { const c = rampColour(v); return "rgb(" + c.join(",") + ") " + v * 100 + "%"; });
        ramp.style.background = "linear-gradient(to right, " + stops.join(", ") + ")";
        box.append(document.createTextNode("first zombie: " + fmtTime(0) + " "), ramp,
          document.createTextNode(" " + fmtTime(this.lastArrival) + "; pale: not yet; grey: never"));
        return;
      }
      const seen = new Set();
      for (const s of this.places.compStates) {
        if (seen.has(s)) continue;
        seen.add(s);
        const item = document.createElement("span");
        const sw = document.createElement("span");
        sw.className = "swatch";
        sw.style.background = colourOf(s);
        item.append(sw, document.createTextNode(s));
        box.append(item);
      }
      const note = document.createElement("span");
      note.textContent = "colour: the mix of states there; paler: fewer people";
      box.append(note);
      if (this.places.kind === "points" && (this.places.points.passages || []).length) {
        const plan = document.createElement("span");
        const routes = this.places.points.passages.every((q) => q[2] === "route");
        plan.textContent = routes ? "lines: the routes between places" : "rooms to scale; ▪ door, ┄ window (blue), ▨ stairs, green edge: exit; numbers: see the key";
        box.append(plan);
      }
    },
  };

  const RAMP = [[253, 231, 37], [94, 201, 98], [33, 145, 140], [59, 82, 139], [68, 1, 84]];
  function rampColour(v) {
    const x = Math.max(0, Math.min(1, v)) * (RAMP.length - 1);
    const i = Math.min(RAMP.length - 2, Math.floor(x));
    const f = x - i;
    return RAMP[i].map((c, k) => Math.round(c + f * (RAMP[i + 1][k] - c)));
  }
  const ramp = rampColour;

  const LABEL_FONT = "10px system-ui, sans-serif";
  const P_WIDTH_SHARE = 1 / 6;
  const LINE_H = 12;
  const PASSAGE_STYLES = {
    door: { colour: "#6b7280", width: 1, dash: [] },
    opening: { colour: "#9ca3af", width: 1, dash: [] },
    gate: { colour: "#047857", width: 1.5, dash: [] },
    window: { colour: "#2563eb", width: 1.5, dash: [3, 2] },
    hose: { colour: "#d97706", width: 1.5, dash: [2, 2] },
    stairs: { colour: "#7c3aed", width: 1.5, dash: [] },
    route: { colour: "#9ca3af", width: 2, dash: [], plain: true },
  };

  function overlaps(a, b) {
    return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
  }

  function splitName(name) {
    // Two lines, broken at the space nearest the middle (never inside a word); [] if no space.
    const spaces = [];
    for (let i = 0; i < name.length; i++) if (name[i] === " ") spaces.push(i);
    if (!spaces.length) return [];
    const mid = name.length / 2;
    const at = spaces.reduce((a, b) => (Math.abs(b - mid) < Math.abs(a - mid) ? b : a));
    return [name.slice(0, at), name.slice(at + 1)];
  }

  function hatch(ctx, x, y, w, h) {
    // Stairs: diagonal treads, clipped to the stairwell.
    ctx.save();
    ctx.beginPath(); ctx.rect(x, y, w, h); ctx.clip();
    ctx.strokeStyle = "rgba(55,65,81,0.45)";
    ctx.lineWidth = 1;
    ctx.beginPath();
    for (let d = -h; d < w; d += 4) { ctx.moveTo(x + d, y + h); ctx.lineTo(x + d + h, y); }
    ctx.stroke();
    ctx.restore();
  }

  // --- the timeline ----------------------------------------------------------------------------

  const timeline = {
    items: [],
    init() {
      const list = byId("timeline");
      if (!list) return;
      const kinds = new Set();
      const frag = document.createDocumentFragment();
      for (const [t, kind, text] of data.events) {
        const li = document.createElement("li");
        li.dataset.kind = kind;
        const a = document.createElement("span"); a.className = "t"; a.textContent = fmtUnit(t);
        if (fmtClock(t)) a.title = fmtClock(t);
        const b = document.createElement("span"); b.className = "k"; b.textContent = kind;
        // Narrative sentences often start with their own clock time: the column shows it.
        const when = fmtClock(t);
        const said = when && text.startsWith(when + " ") ? text.slice(when.length + 1) : text;
        const c = document.createElement("span"); c.className = "x"; c.textContent = said;
        li.append(a, b, c);
        li.addEventListener("click", () => clock.seekTime(t));
        frag.append(li);
        this.items.push({ t, li });
        kinds.add(kind);
      }
      list.append(frag);
      const sel = byId("event-kind");
      for (const k of [...kinds].sort()) {
        const o = document.createElement("option");
        o.value = k; o.textContent = k;
        sel.append(o);
      }
      sel.addEventListener("change", () => {
        for (const it of this.items) it.li.hidden = sel.value !== "" && it.li.dataset.kind !== sel.value;
      });
      listeners.push(() => this.update());
    },
    update() {
      let last = null;
      for (const it of this.items) {
        const future = it.t > clock.t;
        it.li.classList.toggle("future", future);
        it.li.classList.remove("now");
        if (!future && !it.li.hidden) last = it;
      }
      if (last) {
        last.li.classList.add("now");
        if (byId("follow").checked) {
          const list = byId("timeline");
          list.scrollTop = Math.max(0, last.li.offsetTop - list.clientHeight / 2);
        }
      }
    },
  };

  // --- play, pause and the slider --------------------------------------------------------------

  const player = {
    timer: null,
    init() {
      const slider = byId("slider");
      slider.max = String(clock.times.length - 1);
      slider.addEventListener("input", () => clock.set(Number(slider.value)));
      byId("play").addEventListener("click", () => (this.timer ? this.pause() : this.play()));
    },
    play() {
      if (clock.index >= clock.times.length - 1) clock.set(0);
      const fps = Number(byId("speed").value) || 12;
      byId("play").textContent = "❚❚ pause";
      this.timer = setInterval(() => {
        if (clock.index >= clock.times.length - 1) { this.pause(); return; }
        clock.set(clock.index + 1);
      }, 1000 / fps);
    },
    pause() {
      clearInterval(this.timer);
      this.timer = null;
      byId("play").textContent = "▶ play";
    },
  };

  function timesForSlider() {
    if (data.places) return data.places.times;
    if (data.kind === "run") return thinTimes(data.series.t, 400);
    const first = Object.values(data.bands[chart.point] || {})[0];
    return first ? thinTimes(first.t, 400) : [0];
  }

  function thinTimes(t, k) {
    if (t.length <= k) return t.slice();
    const out = [];
    for (let i = 0; i < k; i++) out.push(t[Math.round((i * (t.length - 1)) / (k - 1))]);
    return out;
  }

  async function main() {
    if (data.kind === "ensemble") {
      const sel = byId("point");
      data.points.forEach((p, i) => {
        const o = document.createElement("option");
        o.value = String(i); o.textContent = p;
        sel.append(o);
      });
      sel.addEventListener("change", () => {
        chart.point = Number(sel.value);
        chart.legend();
        clock.set(clock.index);
      });
    }
    clock.times = timesForSlider();
    chart.init();
    counts.init();
    timeline.init();
    player.init();
    if (data.places) await map.init();
    clock.set(0);
    document.body.dataset.ready = "1";
  }

  // Handles for the browser tests (and for anyone poking at the page from the console).
  window.hyosanReport = {
    data,
    clock,
    chart,
    map,
    ready: main().catch((err) => {
      console.error("hyosan report viewer:", err);
      document.body.dataset.ready = "error";
    }),
  };
})();
