// fetch() with the CSRF token every POST needs; errors come back as {"error": "..."}.
"use strict";
const CSRF = () => (document.cookie.match(/(?:^|; )roleplay_csrf=([^;]*)/) || [])[1] || "";
async function api(method, url, body) {
  const opts = { method, headers: { "X-CSRF-Token": CSRF() } };
  if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
  const r = await fetch(url, opts);
  const data = await r.json().catch(() => ({ error: "bad response" }));
  if (!r.ok) throw new Error(data.error || r.statusText);
  return data;
}
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const k of kids) e.append(k);
  return e;
}
