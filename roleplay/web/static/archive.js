"use strict";
async function load() {
  const q = new URLSearchParams(new FormData(document.getElementById("filter")));
  const message = document.getElementById("message");
  let data;
  try { data = await api("GET", "/api/archive?" + q); message.textContent = ""; } catch (e) { message.textContent = e.message; return; }
  const body = document.querySelector("#calls tbody");
  body.replaceChildren(...data.calls.map(c => el("tr", {},
    el("td", {}, el("a", { href: c.report }, c.call_id)), el("td", {}, c.trainee), el("td", {}, c.scenario),
    el("td", {}, String(c.score)), el("td", {}, t(c.passed ? "yes" : "no")))));
  if (!data.calls.length) body.replaceChildren(el("tr", {}, el("td", { colspan: "5" }, t("no_calls"))));
}
document.getElementById("filter").addEventListener("submit", e => { e.preventDefault(); load(); });
load();
