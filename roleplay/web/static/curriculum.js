// The trainer's assignment form: POST /api/assignments, then the page again (roster and list).
"use strict";
const form = document.getElementById("assign-form");
if (form) {
  const due = document.getElementById("assign-due");
  if (!due.value) due.value = new Date(Date.now() + 7 * 864e5).toISOString().slice(0, 10);
  form.addEventListener("submit", async e => {
    e.preventDefault();
    const message = document.getElementById("assign-message");
    message.textContent = "";
    const trainees = document.getElementById("assign-trainees").value.split(/[,，、]/).map(t => t.trim()).filter(Boolean);
    const scenarios = [...document.getElementById("assign-scenarios").selectedOptions].map(o => o.value);
    try {
      await api("POST", "/api/assignments", { trainees, scenarios, due: due.value,
        attempts: Number(document.getElementById("assign-attempts").value) });
      location.reload();
    } catch (err) {
      message.textContent = err.message;
    }
  });
}
