"use strict";
for (const b of document.querySelectorAll("button.start")) {
  b.addEventListener("click", async () => {
    const t = document.getElementById("trainee");
    const call = await api("POST", "/api/calls", { scenario: b.dataset.scenario, trainee: t ? t.value : "", mode: document.getElementById("headset")?.checked ? "headset" : "typed" });
    location.href = "/desk/" + call.call_id;
  });
}
