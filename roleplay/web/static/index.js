"use strict";
for (const b of document.querySelectorAll("button.start")) {
  b.addEventListener("click", async () => {
    const trainee = document.getElementById("trainee");
    try {
      const call = await api("POST", "/api/calls", { scenario: b.dataset.scenario, trainee: trainee ? trainee.value : "", mode: document.getElementById("headset")?.checked ? "headset" : "typed" });
      location.href = "/desk/" + call.call_id;
    } catch (e) { document.getElementById("message").textContent = e.message; }
  });
}
