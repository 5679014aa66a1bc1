// The trainee's desktop: polls the call state, sends typed answers timed from the first
// keystroke, and drives the CRM, knowledge-base, hold and wrap-up panes through the API.
"use strict";
const desk = document.getElementById("desk");
const ID = desk.dataset.call, BASE = "/api/calls/" + ID;
const $ = id => document.getElementById(id);
let firstKey = null, last = null, wrapStarted = false;

// The scenario's CRM ids as the page's labels (roleplay/web/crm_labels.py); an id not listed shows as is.
const fieldLabel = k => (MESSAGES.crm_fields || {})[k] || k;
const tableLabel = k => (MESSAGES.crm_tables || {})[k] || k;
function say(msg) { $("message").textContent = msg || ""; }
async function act(method, path, body) {
  try { const s = await api(method, BASE + path, body); say(""); return s; } catch (e) { say(e.message); return null; }
}
function show(s) {
  if (!s || !s.call_id) return;
  last = s;
  $("status").textContent = t(s.status);
  $("status").dataset.status = s.status;
  $("customer-line").textContent = s.customer_line;
  $("mood").value = s.mood; $("mood-n").textContent = s.mood.toFixed(1);
  const secs = Math.floor(s.elapsed_s);
  $("timer").textContent = String(Math.floor(secs / 60)).padStart(2, "0") + ":" + String(secs % 60).padStart(2, "0");
  const ol = $("transcript");
  if (ol.children.length !== s.transcript.length) {
    ol.replaceChildren(...s.transcript.map(x => el("li", { class: x.speaker }, t(x.speaker === "customer" ? "customer_said" : "you_said", { text: x.text }))));
  }
  const live = s.status !== "wrap_up" && s.status !== "ended";
  $("hold").disabled = !live || s.status === "on_hold";
  $("resume").disabled = s.status !== "on_hold";
  $("end").disabled = !live;
  if ($("send")) $("send").disabled = !live || s.status === "on_hold";
  if (s.status === "wrap_up" && !wrapStarted) { wrapStarted = true; $("wrapup").hidden = false; }
  if (s.status === "ended" && s.scorecard) scorecard(s.scorecard);
}
function scorecard(card) {
  $("wrapup").hidden = true; $("scorecard").hidden = false;
  $("score").textContent = t(card.passed ? "passed" : "not_passed", { score: card.score });
  $("report-link").href = "/calls/" + card.call_id + "/report";
  $("items").replaceChildren(...card.items.filter(i => i.applicable).map(i => el("tr", { "data-item": i.id },
    el("td", { title: i.id }, (MESSAGES.item_titles || {})[i.id] || i.id), el("td", {}, t("points", { points: i.points, max_points: i.max_points })),
    el("td", {}, i.explanation, el("ul", {}, ...i.evidence.map(e => el("li", {}, e.note || "")))))));
}
async function poll() {
  if (last && last.status === "ended" && last.scorecard) return;
  try { show(await api("GET", BASE)); say(""); } catch (e) { say(t("connection_lost")); }
  setTimeout(poll, 700);
}
if ($("answer")) {     // typed practice; on the headset the microphone answers
  $("answer").addEventListener("keydown", e => {
    if (firstKey === null && e.key !== "Enter") firstKey = performance.now();
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); send(); }
  });
  $("answer-form").addEventListener("submit", e => { e.preventDefault(); send(); });
}
async function send() {
  const text = $("answer").value.trim();
  if (!text) return;
  const typing = firstKey === null ? 0 : Math.round(performance.now() - firstKey);
  $("send").disabled = true;
  const s = await act("POST", "/answer", { text, typing_ms: typing });
  if (s) { $("answer").value = ""; firstKey = null; show(s); } else { $("send").disabled = false; }
}
$("hold").addEventListener("click", async () => show(await act("POST", "/hold")));
$("resume").addEventListener("click", async () => show(await act("POST", "/resume")));
$("end").addEventListener("click", async () => show(await act("POST", "/hangup")));
if ($("crm-form")) {
  $("crm-form").addEventListener("submit", async e => {
    e.preventDefault();
    const r = await act("GET", "/crm?q=" + encodeURIComponent($("crm-q").value));
    if (!r) return;
    const shown = r.records.length ? Object.keys(r.records[0].fields).slice(0, 5) : [];
    $("crm-results").replaceChildren(el("tr", {}, ...shown.map(k => el("th", { title: k }, fieldLabel(k)))), ...r.records.map(h => {
      const row = el("tr", { class: "hit", "data-key": h.key }, ...shown.map(k => el("td", {}, h.fields[k] || "")));
      row.addEventListener("click", () => openRecord(h.table, h.key));
      return row;
    }));
    if (!r.records.length) $("crm-results").replaceChildren(el("tr", {}, el("td", {}, t("no_records"))));
  });
}
async function openRecord(table, key) {
  const r = await act("POST", "/crm/open", { table, key });
  if (!r) return;
  $("crm-record").replaceChildren(el("h4", {}, tableLabel(table) + " " + key),
    el("dl", { "data-key": key }, ...Object.entries(r.fields).flatMap(([k, v]) => [el("dt", { title: k }, fieldLabel(k)), el("dd", {}, v)])));
}
if ($("kb-form")) {
  $("kb-form").addEventListener("submit", async e => {
    e.preventDefault();
    const r = await act("GET", "/kb?q=" + encodeURIComponent($("kb-q").value));
    if (!r) return;
    $("kb-results").replaceChildren(...r.articles.map(a => {
      const li = el("li", { class: "article", "data-id": a.id }, el("b", {}, a.title), " ", a.snippet);
      li.addEventListener("click", async () => {
        const art = await act("GET", "/kb/" + encodeURIComponent(a.id));
        if (art) $("kb-article").replaceChildren(el("h4", {}, art.title), el("p", {}, art.body));
      });
      return li;
    }));
    if (!r.articles.length) $("kb-results").replaceChildren(el("li", {}, t("no_articles")));
  });
}
$("wrapup-form").addEventListener("submit", async e => {
  e.preventDefault();
  $("submit-wrapup").disabled = true;
  const s = await act("POST", "/wrapup", { disposition: $("disposition").value, notes: $("notes").value });
  if (s) show(s); else $("submit-wrapup").disabled = false;
});
poll();
