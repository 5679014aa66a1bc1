"use strict";
async function load() {
  const q = new URLSearchParams(new FormData(document.getElementById("filter")));
  const data = await api("GET", "/api/archive?" + q);
  const body = document.querySelector("#calls tbody");
  body.replaceChildren(...data.calls.map(c => el("tr", {},
    el("td", {}, el("a", { href: c.report }, c.call_id)), el("td", {}, c.trainee), el("td", {}, c.scenario),
    el("td", {}, String(c.score)), el("td", {}, c.passed ? "yes" : "no"))));
}
document.getElementById("filter").addEventListener("submit", e => { e.preventDefault(); load(); });
load();
