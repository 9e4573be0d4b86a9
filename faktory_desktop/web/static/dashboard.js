// The dashboard's graphs: live (polls /stats every interval and plots the processed and failed
// jobs of each interval) and history (per day). Hand-written on <canvas>, no library.
"use strict";

const MAX_POINTS = 100;
const live = { processed: [], failed: [], times: [], last: null, timer: null };

document.addEventListener("DOMContentLoaded", () => {
  const canvas = document.getElementById("live-graph");
  if (!canvas) return;
  const slider = document.getElementById("poll-interval");
  const stored = parseInt(localStorage.getItem("timeInterval") || "5000", 10);
  slider.value = String(Math.max(2000, Math.min(20000, isNaN(stored) ? 5000 : stored)));
  showInterval(slider.value);
  slider.addEventListener("input", () => showInterval(slider.value));
  slider.addEventListener("change", () => {
    localStorage.setItem("timeInterval", slider.value);
    schedule(canvas, parseInt(slider.value, 10));
  });
  drawHistory();
  window.addEventListener("resize", () => { drawLive(canvas); drawHistory(); });
  poll(canvas);
  schedule(canvas, parseInt(slider.value, 10));
});

function showInterval(ms) {
  document.getElementById("poll-interval-value").textContent = (ms / 1000) + " s";
}

function schedule(canvas, ms) {
  clearInterval(live.timer);
  live.timer = setInterval(() => poll(canvas), ms);
}

async function poll(canvas) {
  let stats;
  try {
    const response = await fetch(canvas.dataset.stats, { headers: { Accept: "application/json" } });
    if (!response.ok) return;
    stats = await response.json();
  } catch (error) {
    return;
  }
  const f = stats.faktory;
  // Each interval's own counts; the first sample has nothing to compare with, so it plots 0
  // (Faktory plotted the absolute totals there).
  const previous = live.last || f;
  push("processed", Math.max(0, f.total_processed - previous.total_processed));
  push("failed", Math.max(0, f.total_failures - previous.total_failures));
  push("times", new Date());
  live.last = f;
  updateNumbers(stats);
  drawLive(canvas);
}

function push(series, value) {
  live[series].push(value);
  if (live[series].length > MAX_POINTS) live[series].shift();
}

function updateNumbers(stats) {
  const f = stats.faktory, s = stats.server, t = f.tasks;
  const set = (id, text) => { const el = document.getElementById(id); if (el) el.textContent = text; };
  const n = (v) => Number(v).toLocaleString("en-US");
  set("sum-processed", n(f.total_processed));
  set("sum-failed", n(f.total_failures));
  set("sum-busy", n(t.Busy.size));
  set("sum-enqueued", n(f.total_enqueued));
  set("sum-retries", n(t.Retries.size));
  set("sum-scheduled", n(t.Scheduled.size));
  set("sum-dead", n(t.Dead.size));
  set("box-connections", n(s.connections));
  set("box-memory", n(s.used_memory_mb) + " MB");
  set("box-commands", n(s.command_count));
  set("box-uptime", String(Math.round(s.uptime / 86400)));
  set("utc-time", stats.server_utc_time);
  set("live-points", live.times.length + (live.times.length === 1 ? " sample" : " samples"));
  const active = t.Busy.size > 0;
  const beacon = document.getElementById("beacon");
  if (beacon) beacon.className = "beacon " + (active ? "active" : "idle");
  set("status-text", active ? "active" : "idle");
}

function drawLive(canvas) {
  const labels = live.times.map((t) => t.toLocaleTimeString());
  drawChart(canvas, labels, [["processed", live.processed], ["failed", live.failed]], "line");
}

function drawHistory() {
  const canvas = document.getElementById("history-graph");
  const data = JSON.parse(document.getElementById("history-data").textContent);
  const labels = data.map((row) => row[0].slice(5));
  drawChart(canvas, labels, [["processed", data.map((r) => r[1])], ["failed", data.map((r) => r[2])]], "bars");
}

// One chart: a y axis in round steps, a few x labels, and each series as a line or bars.
function drawChart(canvas, labels, series, kind) {
  const ratio = window.devicePixelRatio || 1;
  const width = canvas.clientWidth, height = canvas.clientHeight;
  canvas.width = width * ratio;
  canvas.height = height * ratio;
  const ctx = canvas.getContext("2d");
  ctx.scale(ratio, ratio);
  const style = getComputedStyle(document.documentElement);
  const color = (name) => style.getPropertyValue("--" + name).trim();
  const left = 56, right = 12, top = 10, bottom = 24;
  const plotW = width - left - right, plotH = height - top - bottom;
  const max = 4 * niceStep(Math.max(1, ...series.flatMap(([, values]) => values)) / 4);
  ctx.font = "11px system-ui, sans-serif";
  ctx.fillStyle = color("muted");
  ctx.strokeStyle = color("line");
  ctx.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = top + plotH - (plotH * i) / 4;
    ctx.beginPath(); ctx.moveTo(left, y + 0.5); ctx.lineTo(width - right, y + 0.5); ctx.stroke();
    ctx.textAlign = "right";
    ctx.fillText(((max * i) / 4).toLocaleString("en-US"), left - 6, y + 4);
  }
  const n = labels.length;
  if (n === 0) return;
  const step = plotW / Math.max(n, 1);
  ctx.textAlign = "center";
  const every = Math.max(1, Math.ceil(n / 8));
  labels.forEach((label, i) => {
    if (i % every === 0) ctx.fillText(label, left + step * (i + 0.5), height - 6);
  });
  series.forEach(([name, values], s) => {
    ctx.fillStyle = ctx.strokeStyle = color(name);
    if (kind === "bars") {
      const barW = Math.max(1, (step * 0.8) / series.length);
      values.forEach((v, i) => {
        const h = (plotH * v) / max;
        ctx.fillRect(left + step * i + step * 0.1 + barW * s, top + plotH - h, barW, h);
      });
    } else {
      ctx.lineWidth = 2;
      ctx.beginPath();
      values.forEach((v, i) => {
        const x = left + step * (i + 0.5), y = top + plotH - (plotH * v) / max;
        if (i === 0) ctx.moveTo(x, y); else ctx.lineTo(x, y);
      });
      ctx.stroke();
      values.forEach((v, i) => {
        ctx.beginPath();
        ctx.arc(left + step * (i + 0.5), top + plotH - (plotH * v) / max, 2.5, 0, 2 * Math.PI);
        ctx.fill();
      });
    }
  });
}

// The smallest whole 1, 2 or 5 x 10^n at least `value`: the y axis's step, so its labels are
// round whole numbers.
function niceStep(value) {
  const power = Math.pow(10, Math.floor(Math.log10(Math.max(value, 1))));
  for (const m of [1, 2, 5, 10]) if (m * power >= value) return m * power;
  return 10 * power;
}
