// fetch() with the CSRF token every POST needs; errors come back as {"error": "..."}.
// t(key, values): the page's words, from the JSON blobs the template wrote in its language.
"use strict";
const CSRF = () => (document.cookie.match(/(?:^|; )roleplay_csrf=([^;]*)/) || [])[1] || "";
const MESSAGES = Object.assign({}, ...["common-messages", "messages"].map(id => {
  const node = document.getElementById(id);
  return node ? JSON.parse(node.textContent) : {};
}));
function t(key, values) {
  const text = MESSAGES[key] === undefined ? key : MESSAGES[key];
  return text.replace(/\{(\w+)\}/g, (whole, name) => (values && name in values ? String(values[name]) : whole));
}
async function api(method, url, body) {
  const opts = { method, headers: { "X-CSRF-Token": CSRF() } };
  if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
  const r = await fetch(url, opts);
  const data = await r.json().catch(() => ({ error: t("bad_response") }));
  if (!r.ok) throw new Error(data.error || r.statusText);
  return data;
}
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const k of kids) e.append(k);
  return e;
}
