"use strict";
function filters() {
  const q = new URLSearchParams();
  for (const [k, v] of new FormData(document.getElementById("filter"))) if (v) q.set(k, v);
  return q;
}
function score(x) { return x === null || x === undefined ? "-" : String(x); }
async function load() {
  const q = filters();
  const message = document.getElementById("message");
  let data;
  try { data = await api("GET", "/api/archive?" + q); message.textContent = ""; } catch (e) { message.textContent = e.message; return; }
  const body = document.querySelector("#calls tbody");
  body.replaceChildren(...data.calls.map(c => el("tr", { "data-call": c.call_id },
    el("td", {}, el("a", { href: c.page }, c.call_id)), el("td", {}, c.trainee), el("td", {}, c.scenario),
    el("td", {}, score(c.score)), el("td", { class: "effective" }, score(c.effective_score)),
    el("td", {}, t(c.effective_passed ? "yes" : "no")), el("td", { class: "state" }, t(c.state)))));
  const csv = document.getElementById("export-csv");
  if (csv) {
    csv.href = "/api/archive/export.csv?" + q;
    document.getElementById("export-xapi").href = "/api/archive/export.json?" + q;
  }
}
async function rescore() {
  const bar = document.getElementById("rescore-progress"), status = document.getElementById("rescore-status");
  bar.hidden = false;
  try {
    let job = await api("POST", "/api/archive/rescore?" + filters());
    while (true) {
      bar.max = Math.max(job.total, 1); bar.value = job.done;
      status.textContent = t("done", { done: job.done, total: job.total, failed: job.failed })
        + (job.error ? " — " + job.error : "");
      if (job.finished) break;
      await new Promise(r => setTimeout(r, 500));
      job = await api("GET", "/api/archive/rescore/" + job.id);
    }
    load();
  } catch (e) { status.textContent = e.message; }
}
document.getElementById("filter").addEventListener("submit", e => { e.preventDefault(); load(); });
const button = document.getElementById("rescore");
if (button) button.addEventListener("click", rescore);
load();
