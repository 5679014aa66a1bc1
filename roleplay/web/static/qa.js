// The call page's evaluation form: overrides, review states, calibration. Strings come
// translated from the page (#qa-strings).
"use strict";
(function () {
  const root = document.getElementById("qa-call");
  if (!root) return;
  const T = JSON.parse(document.getElementById("qa-strings").textContent);
  const call = root.dataset.call;
  const message = document.getElementById("qa-message");
  const nameBox = document.getElementById("reviewer-name");
  const stored = "roleplay-reviewer";
  const named = new URLSearchParams(location.search).get("reviewer");
  if (nameBox) nameBox.value = named || localStorage.getItem(stored) || "";
  function who() {            // on the loopback nobody signs in: the station says who it is
    if (!nameBox) return {};
    localStorage.setItem(stored, nameBox.value.trim());
    return { reviewer: nameBox.value.trim(), by: nameBox.value.trim() };
  }
  async function send(url, body) {
    message.textContent = "";
    try {
      await api("POST", url, body);
      // Unsigned, the page shows the review as this name may see it (blind calibration).
      if (nameBox && nameBox.value.trim() && named !== nameBox.value.trim()) {
        location.search = "?reviewer=" + encodeURIComponent(nameBox.value.trim());
      } else location.reload();
    } catch (e) { message.textContent = e.message; }
  }
  const form = document.getElementById("override-form");
  if (form) form.addEventListener("submit", e => {
    e.preventDefault();
    const item = document.getElementById("ov-item");
    const max = parseFloat(item.selectedOptions[0].dataset.max);
    const points = parseFloat(document.getElementById("ov-points").value);
    if (!(points >= 0 && points <= max)) { message.textContent = T.points; return; }
    if (nameBox && !nameBox.value.trim()) { message.textContent = T.name; return; }
    const turn = document.getElementById("ov-turn").value;
    send(`/api/archive/${call}/reviews`, { ...who(), item: item.value, points,
      comment: document.getElementById("ov-comment").value, turn: turn === "" ? null : parseInt(turn, 10) });
  });
  for (const b of document.querySelectorAll("button.move")) {
    b.addEventListener("click", () => {
      const box = document.getElementById("dispute-comment");
      const comment = b.dataset.to === "disputed" && box ? box.value : "";
      if (b.dataset.to === "disputed" && !comment.trim()) { message.textContent = T.dispute; return; }
      send(`/api/archive/${call}/state`, { ...who(), state: b.dataset.to, comment });
    });
  }
  const mark = document.getElementById("calibration-mark");
  if (mark) mark.addEventListener("click", () => send(`/api/archive/${call}/calibration`, who()));
  const submit = document.getElementById("calibration-submit");
  if (submit) submit.addEventListener("click", () => send(`/api/archive/${call}/calibration/submit`, who()));
  // A comment's turn link: show that turn and play from its first word.
  for (const a of document.querySelectorAll("a.turn-link")) {
    a.addEventListener("click", e => {
      e.preventDefault();
      const turn = document.querySelectorAll("#transcript .turn")[parseInt(a.dataset.turn, 10)];
      if (!turn) return;
      turn.scrollIntoView({ block: "center" });
      turn.classList.add("picked");
      const word = turn.querySelector("span[data-t]");
      if (word) word.click();
    });
  }
})();
