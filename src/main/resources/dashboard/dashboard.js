// Statekeeper dashboard: reads /metrics (Prometheus text) and /v1/ops/summary (health, alerts)
// every few seconds with the admin key typed into the page, and draws them with uPlot.
// Rates and latency quantiles come from the difference between two scrapes, computed the way
// Prometheus computes rate() and histogram_quantile(). The key lives only in this page's memory.
(function () {
  "use strict";

  const REFRESH_MS = 2000;
  const KEEP_POINTS = 150; // 5 minutes at 2 s
  const PRIORITIES = ["CRITICAL", "HIGH", "NORMAL", "LOW"];
  const STATUSES = ["pending", "claimed", "completed", "failed", "cancelled"];
  const COLORS = ["#2563eb", "#16a34a", "#d97706", "#dc2626", "#7c3aed"];

  let key = null;
  let timer = null;
  let previous = null; // the last scrape: {at, samples}
  let updates = 0;
  const charts = {};
  const $ = (id) => document.getElementById(id);

  // ------------------------------------------------------------------ Prometheus text

  function parseValue(v) {
    if (v === "+Inf") return Infinity;
    if (v === "-Inf") return -Infinity;
    return Number(v);
  }

  function parseMetrics(text) {
    const samples = [];
    for (const line of text.split("\n")) {
      if (line === "" || line[0] === "#") continue;
      const m = line.match(/^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/);
      if (!m) continue;
      const labels = {};
      if (m[2]) {
        for (const l of m[2].matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
          labels[l[1]] = l[2].replace(/\\(.)/g, (_, c) => (c === "n" ? "\n" : c));
        }
      }
      samples.push({ name: m[1], labels: labels, value: parseValue(m[3]) });
    }
    return samples;
  }

  function select(samples, name, where) {
    return samples.filter((s) => s.name === name &&
      Object.entries(where || {}).every(([k, v]) => s.labels[k] === v));
  }

  function sum(samples, name, where) {
    return select(samples, name, where).reduce((a, s) => a + (isNaN(s.value) ? 0 : s.value), 0);
  }

  function one(samples, name, where) {
    const s = select(samples, name, where);
    return s.length ? s[0].value : NaN;
  }

  /** Cumulative request buckets (le -> count) over every route, method and status. */
  function requestBuckets(samples) {
    const buckets = new Map();
    for (const s of select(samples, "http_server_requests_seconds_bucket")) {
      const le = parseValue(s.labels.le);
      buckets.set(le, (buckets.get(le) || 0) + s.value);
    }
    return buckets;
  }

  /** Prometheus' histogram_quantile over cumulative buckets. */
  function quantile(buckets, q) {
    const les = [...buckets.keys()].sort((a, b) => a - b);
    const total = buckets.get(Infinity);
    if (!total || total <= 0) return NaN;
    const rank = q * total;
    let lowerLe = 0, lowerCount = 0;
    for (const le of les) {
      const c = buckets.get(le);
      if (c >= rank) {
        if (le === Infinity) return lowerLe;
        const inBucket = c - lowerCount;
        return inBucket <= 0 ? le : lowerLe + (le - lowerLe) * (rank - lowerCount) / inBucket;
      }
      lowerLe = le;
      lowerCount = c;
    }
    return lowerLe;
  }

  function deltaBuckets(now, before) {
    const d = new Map();
    for (const [le, c] of now) d.set(le, c - ((before && before.get(le)) || 0));
    return d;
  }

  // ------------------------------------------------------------------ formatting

  function fmtInt(v) { return isNaN(v) ? "–" : Math.round(v).toLocaleString("en-US"); }
  function fmtNum(v, digits) { return isNaN(v) || !isFinite(v) ? "–" : v.toFixed(digits); }
  // a local cache of the health check: {size, hits, misses, hit_ratio (null before any lookup)}
  function ratio(c) { return c && c.hit_ratio !== null ? fmtNum(100 * c.hit_ratio, 1) + "%" : "–"; }
  // "2026-12-01T22:31:09Z" → "2026-12-01 22:31:09 UTC"
  function fmtTime(rfc3339) { return typeof rfc3339 === "string" ? rfc3339.replace("T", " ").replace(/Z$/, " UTC") : "–"; }
  function fmtAge(s) {
    if (isNaN(s)) return "–";
    if (s < 120) return s.toFixed(1) + " s";
    if (s < 7200) return (s / 60).toFixed(1) + " min";
    return (s / 3600).toFixed(1) + " h";
  }
  function text(id, value) { const el = $(id); if (el) el.textContent = value; }
  function el(tag, cls, content) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (content !== undefined) e.textContent = content;
    return e;
  }

  // ------------------------------------------------------------------ charts

  function makeChart(id, title, names, yLabel) {
    const container = $(id);
    const width = Math.max(300, container.clientWidth || 400);
    const series = [{}].concat(names.map((n, i) => ({ label: n, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: true })));
    const data = [[]].concat(names.map(() => []));
    const chart = new uPlot({ title: title, width: width, height: 180, series: series,
      axes: [{}, { label: yLabel, size: 60 }], legend: { live: false } }, data, container);
    charts[id] = { chart: chart, data: data };
  }

  function push(id, t, values) {
    const c = charts[id];
    c.data[0].push(t);
    values.forEach((v, i) => c.data[i + 1].push(v === null || isNaN(v) || !isFinite(v) ? null : v));
    if (c.data[0].length > KEEP_POINTS) c.data.forEach((a) => a.shift());
    c.chart.setData(c.data);
  }

  function ensureCharts() {
    if (charts["chart-rate"]) return;
    makeChart("chart-rate", "requests per second", ["all", "5xx"], "req/s");
    makeChart("chart-latency", "latency", ["p50", "p95", "p99"], "ms");
    makeChart("chart-tasks", "tasks by status", STATUSES, "tasks");
    makeChart("chart-oldest", "oldest runnable pending task", PRIORITIES, "seconds");
    makeChart("chart-sla", "SLA met, last hour", PRIORITIES, "%");
    makeChart("chart-cache", "cache hit ratio (per refresh)", ["hit ratio"], "%");
    makeChart("chart-pool", "connections", ["active", "idle", "waiting", "max"], "connections");
  }

  // ------------------------------------------------------------------ rendering

  function renderMetrics(samples, at) {
    const t = at / 1000;
    // requests: totals now, rates and quantiles over the interval since the previous scrape
    const count = sum(samples, "http_server_requests_seconds_count");
    const errors = select(samples, "http_server_requests_seconds_count")
      .filter((s) => (s.labels.status || "").startsWith("5")).reduce((a, s) => a + s.value, 0);
    const buckets = requestBuckets(samples);
    text("req-total", fmtInt(count));
    let rate = NaN, errRate = NaN, p50 = NaN, p95 = NaN, p99 = NaN;
    if (previous) {
      const secs = (at - previous.at) / 1000;
      const dCount = count - previous.count;
      rate = secs > 0 ? dCount / secs : NaN;
      errRate = dCount > 0 ? (errors - previous.errors) / dCount : NaN;
      const d = deltaBuckets(buckets, previous.buckets);
      p50 = quantile(d, 0.5) * 1000; p95 = quantile(d, 0.95) * 1000; p99 = quantile(d, 0.99) * 1000;
    }
    text("req-rate", fmtNum(rate, 1));
    text("req-errors", fmtNum(errRate * 100, 1));
    text("req-p50", fmtNum(p50, 1)); text("req-p95", fmtNum(p95, 1)); text("req-p99", fmtNum(p99, 1));
    push("chart-rate", t, [rate, previous ? (errors - previous.errors) / ((at - previous.at) / 1000) : NaN]);
    push("chart-latency", t, [p50, p95, p99]);

    // tasks by priority and status (a cached census on the server; see metrics-refresh)
    const body = $("tasks-table").tBodies[0];
    const foot = $("tasks-table").tFoot;
    body.replaceChildren(); foot.replaceChildren();
    const totals = {};
    for (const p of PRIORITIES) {
      const row = el("tr");
      row.appendChild(el("td", null, p));
      for (const s of STATUSES) {
        const v = one(samples, "statekeeper_tasks", { priority: p, status: s });
        totals[s] = (totals[s] || 0) + (isNaN(v) ? 0 : v);
        const cell = el("td", null, fmtInt(v)); cell.id = "task-" + p + "-" + s; row.appendChild(cell);
      }
      const age = one(samples, "statekeeper_tasks_oldest_pending_age_seconds", { priority: p });
      const ageCell = el("td", null, fmtAge(age)); ageCell.id = "oldest-" + p; ageCell.dataset.seconds = String(age);
      row.appendChild(ageCell);
      body.appendChild(row);
    }
    const total = el("tr");
    total.appendChild(el("td", null, "all"));
    for (const s of STATUSES) { const c = el("td", null, fmtInt(totals[s])); c.id = "tasks-" + s; total.appendChild(c); }
    total.appendChild(el("td"));
    foot.appendChild(total);
    push("chart-tasks", t, STATUSES.map((s) => totals[s]));
    push("chart-oldest", t, PRIORITIES.map((p) => one(samples, "statekeeper_tasks_oldest_pending_age_seconds", { priority: p })));

    // SLA compliance over the last hour, per priority
    const sla = $("sla-figures");
    sla.replaceChildren();
    const ratios = PRIORITIES.map((p) => one(samples, "statekeeper_tasks_sla_compliance_ratio", { priority: p }));
    PRIORITIES.forEach((p, i) => {
      const box = el("div");
      box.appendChild(el("span", "label", p));
      const v = el("span", "value", fmtNum(ratios[i] * 100, 1)); v.id = "sla-" + p; box.appendChild(v);
      box.appendChild(el("span", "unit", "%"));
      sla.appendChild(box);
    });
    push("chart-sla", t, ratios.map((r) => r * 100));

    // cache: hits and misses of every cache and level, since start; the chart per refresh
    const hits = sum(samples, "cache_gets_total", { result: "hit" });
    const misses = sum(samples, "cache_gets_total", { result: "miss" });
    text("cache-hits", fmtInt(hits)); text("cache-misses", fmtInt(misses));
    text("cache-hit-ratio", fmtNum(hits + misses > 0 ? 100 * hits / (hits + misses) : NaN, 1));
    let windowRatio = NaN;
    if (previous) {
      const dh = hits - previous.hits, dm = misses - previous.misses;
      windowRatio = dh + dm > 0 ? 100 * dh / (dh + dm) : NaN;
    }
    push("chart-cache", t, [windowRatio]);

    // connection pool (every pool: PostgreSQL's, or SQLite's readers)
    const active = sum(samples, "hikaricp_connections_active"), idle = sum(samples, "hikaricp_connections_idle");
    const pending = sum(samples, "hikaricp_connections_pending"), max = sum(samples, "hikaricp_connections_max");
    text("pool-active", fmtInt(active)); text("pool-idle", fmtInt(idle));
    text("pool-pending", fmtInt(pending)); text("pool-max", fmtInt(max));
    push("chart-pool", t, [active, idle, pending, max]);

    previous = { at: at, count: count, errors: errors, buckets: buckets, hits: hits, misses: misses };
  }

  function renderSummary(summary) {
    const status = summary.health.status;
    const badge = $("health-status");
    badge.textContent = status; badge.className = "badge " + status;
    text("store", "store: " + summary.store);
    const checks = $("health-checks");
    checks.replaceChildren();
    for (const [name, c] of Object.entries(summary.health.checks)) {
      const li = el("li");
      li.id = "check-" + name;
      li.appendChild(el("span", "badge " + c.status, c.status));
      li.appendChild(document.createTextNode(" " + name));
      const detail = c.error || c.reason ||
        (c.latency_ms !== undefined ? c.latency_ms + " ms round trip" :
         c.free_percent !== undefined ? c.free_percent + "% free" :
         c.busy_percent !== undefined ? c.active + "/" + c.max + " busy" :
         c.access_decisions !== undefined ? "hit ratio: decisions " + ratio(c.access_decisions) + ", keys " + ratio(c.api_keys) :
         c.seconds_since_last_run !== undefined && c.seconds_since_last_run !== null ? "last pass " + c.seconds_since_last_run + " s ago" : "");
      li.appendChild(el("span", "detail", detail));
      checks.appendChild(li);
    }
    const list = $("alerts");
    list.replaceChildren();
    const firing = summary.alerts.firing;
    text("alerts-count", String(firing.length));
    if (firing.length === 0) list.appendChild(el("li", "none", "none"));
    for (const a of firing) {
      const li = el("li", a.severity);
      li.dataset.alert = a.name;
      li.appendChild(el("strong", null, a.name));
      // summary and value are the latest evaluation's; starts_at is RFC 3339 UTC in whole seconds
      li.appendChild(el("span", "detail", a.summary + " (threshold " + a.threshold + ", since " + fmtTime(a.starts_at) + ")"));
      list.appendChild(li);
    }
  }

  // ------------------------------------------------------------------ loop

  function message(textContent, isError) {
    const m = $("message");
    m.textContent = textContent;
    m.className = "message" + (isError ? " error" : "");
    m.hidden = !textContent;
  }

  async function get(path) {
    const r = await fetch(path, { headers: { Authorization: "Bearer " + key }, cache: "no-store" });
    if (!r.ok) {
      let detail = r.status + "";
      try { detail = (await r.json()).detail || detail; } catch (e) { /* not JSON */ }
      const err = new Error(path + ": " + detail); err.status = r.status; throw err;
    }
    return r;
  }

  async function refresh() {
    try {
      const [metricsResponse, summaryResponse] = await Promise.all([get("/metrics"), get("/v1/ops/summary")]);
      const at = Date.now();
      const samples = parseMetrics(await metricsResponse.text());
      const summary = await summaryResponse.json();
      $("panels").hidden = false;
      ensureCharts();
      renderSummary(summary);
      renderMetrics(samples, at);
      updates++;
      document.body.dataset.updates = String(updates);
      text("updated", "updated " + new Date(at).toLocaleTimeString());
      message("", false);
    } catch (e) {
      message(e.status === 401 || e.status === 403 ? "That key is not an admin key: " + e.message : "Cannot load the data: " + e.message, true);
      if (e.status === 401 || e.status === 403) stop();
    }
  }

  function stop() {
    if (timer) clearInterval(timer);
    timer = null;
  }

  $("key-form").addEventListener("submit", (event) => {
    event.preventDefault();
    key = $("key").value.trim();
    $("key").value = "";
    if (!key) return;
    stop();
    previous = null;
    refresh();
    timer = setInterval(refresh, REFRESH_MS);
  });
})();
