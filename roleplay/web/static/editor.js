// The scenario editor: live validation as the trainer types (debounced POST
// /api/scenarios/validate), problems marked in the line gutter and listed (a click jumps to
// the line), the graph of the draft (a click on a node jumps to its line), Save and Try it.
"use strict";
const T = JSON.parse(document.getElementById("editor-texts").textContent);
const fmt = (s, values) => s.replace(/\{(\w+)\}/g, (m, k) => (k in values ? String(values[k]) : m));
const box = document.getElementById("yaml");
const gutter = document.getElementById("gutter");
const problemsList = document.getElementById("problems");
const statusLine = document.getElementById("status");
const saveButton = document.getElementById("save");
const graph = document.getElementById("graph");
let scenarioId = document.querySelector(".editor").dataset.scenario;
let problems = [];
let saved = box.value;
let checkTimer = 0;
let checkSeq = 0;
const DEBOUNCE_MS = 350;
const canSave = !saveButton.disabled;      // the shipped library is read-only

function say(text, kind) { statusLine.textContent = text; statusLine.dataset.kind = kind || ""; }

function drawGutter() {
  const count = box.value.split("\n").length;
  const bad = new Map();
  for (const p of problems) if (!bad.has(p.line)) bad.set(p.line, p.message);
  const rows = [];
  for (let n = 1; n <= count; n++) {
    const row = el("span", { "data-line": String(n) }, String(n));
    if (bad.has(n)) { row.className = "bad"; row.title = bad.get(n); }
    rows.push(row, "\n");
  }
  gutter.replaceChildren(...rows);
  gutter.scrollTop = box.scrollTop;
}

function goToLine(line, col) {
  const lines = box.value.split("\n");
  const n = Math.max(1, Math.min(line, lines.length));
  let start = 0;
  for (let i = 0; i < n - 1; i++) start += lines[i].length + 1;
  const at = start + Math.max(0, Math.min((col || 1) - 1, lines[n - 1].length));
  box.focus();
  box.setSelectionRange(at, start + lines[n - 1].length);
  const lineHeight = parseFloat(getComputedStyle(box).lineHeight) || 18;
  box.scrollTop = Math.max(0, (n - 4) * lineHeight);
  gutter.scrollTop = box.scrollTop;
  for (const row of gutter.querySelectorAll(".here")) row.classList.remove("here");
  const row = gutter.querySelector(`[data-line="${n}"]`);
  if (row) row.classList.add("here");
}

function showProblems() {
  problemsList.replaceChildren(...problems.map(p => {
    const item = el("li", { class: "problem", "data-line": String(p.line), "data-col": String(p.col) },
      el("button", { type: "button", class: "jump" }, fmt(T.line, p)), " ", p.message);
    item.querySelector("button").addEventListener("click", () => goToLine(p.line, p.col));
    return item;
  }));
  drawGutter();
  const dirty = box.value !== saved;
  if (canSave) saveButton.disabled = problems.length > 0;
  if (problems.length) say(fmt(T.problems, { count: problems.length }), "bad");
  else say(dirty ? fmt(T.valid_unsaved, { valid: T.valid, unsaved: T.unsaved }) : T.valid, "ok");
}

async function check() {
  const seq = ++checkSeq;
  say(T.checking, "");
  const text = box.value;
  const r = await fetch("/api/scenarios/validate", {
    method: "POST", headers: { "X-CSRF-Token": CSRF(), "Content-Type": "application/yaml" }, body: text });
  const data = await r.json().catch(() => ({ error: t("bad_response") }));
  if (seq !== checkSeq) return;              // a newer check is under way
  if (!r.ok) { say(data.error || r.statusText, "bad"); return; }
  problems = data.errors;
  showProblems();
  drawGraph(text);
}

async function drawGraph(text) {
  const opts = text === undefined ? { method: "GET" }
    : { method: "POST", headers: { "X-CSRF-Token": CSRF(), "Content-Type": "application/yaml" }, body: text };
  const r = await fetch(`/api/scenarios/${encodeURIComponent(scenarioId)}/graph.svg`, opts);
  if (!r.ok) {
    const data = await r.json().catch(() => ({}));
    graph.replaceChildren(el("p", { class: "error" }, T.graph_failed + ": " + (data.error || r.statusText)));
    return;
  }
  // The SVG comes from our own server (Graphviz escapes every label), never from elsewhere.
  const svg = new DOMParser().parseFromString(await r.text(), "image/svg+xml").documentElement;
  graph.replaceChildren(document.importNode(svg, true));
  graph.dataset.drawn = String(Date.now());
}

graph.addEventListener("click", e => {
  const link = e.target.closest("a");
  const href = link && (link.getAttribute("href") || link.getAttributeNS("http://www.w3.org/1999/xlink", "href"));
  const m = href && href.match(/^#L(\d+)$/);
  if (m) { e.preventDefault(); goToLine(Number(m[1]), 1); }
});

function scheduleCheck() {
  clearTimeout(checkTimer);
  checkTimer = setTimeout(check, DEBOUNCE_MS);
  drawGutter();
}

async function refreshVersions() {
  const data = await api("GET", `/api/scenarios/${encodeURIComponent(scenarioId)}`);
  const list = el("ul", { id: "versions" }, ...data.versions.map(v => el("li", {},
    el("a", { href: `/api/scenarios/${encodeURIComponent(scenarioId)}/versions/${v.name}`, target: "_blank" },
      v.saved_at.slice(0, 19).replace("T", " ") + " UTC"), " ", el("code", {}, v.content))));
  document.getElementById("versions").replaceWith(list);
}

async function save() {
  clearTimeout(checkTimer);
  await check();
  if (problems.length) { showProblems(); return; }
  say(T.saving, "");
  const text = box.value;
  const r = await fetch(`/api/scenarios/${encodeURIComponent(scenarioId)}`, {
    method: "PUT", headers: { "X-CSRF-Token": CSRF(), "Content-Type": "application/yaml" }, body: text });
  const data = await r.json().catch(() => ({ error: t("bad_response") }));
  if (!r.ok) {
    if (data.errors) { problems = data.errors; showProblems(); }
    say(data.error || r.statusText, "bad");
    return;
  }
  saved = text;
  if (data.id !== scenarioId) { location.assign(`/trainer/scenarios/${encodeURIComponent(data.id)}`); return; }
  say(data.changed ? fmt(T.saved, data) : T.unchanged, "ok");
  await refreshVersions();
  drawGraph();
}

async function tryIt(e) {
  // Opened at once (a popup opened after an await is blocked), pointed at the desk when started.
  const pane = window.open("about:blank", "_blank");
  say(T.starting, "");
  try {
    const call = await api("POST", "/api/calls", { scenario: scenarioId, trainee: e.target.dataset.trainee, mode: "typed" });
    if (pane) pane.location = `/desk/${call.call_id}`; else location.assign(`/desk/${call.call_id}`);
    say("", "");
  } catch (err) {
    if (pane) pane.close();
    say(err.message, "bad");
  }
}

box.addEventListener("input", scheduleCheck);
box.addEventListener("scroll", () => { gutter.scrollTop = box.scrollTop; });
saveButton.addEventListener("click", save);
document.getElementById("try").addEventListener("click", tryIt);
window.addEventListener("beforeunload", e => { if (box.value !== saved) { e.preventDefault(); e.returnValue = T.leave; } });
drawGutter();
check();
