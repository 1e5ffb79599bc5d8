// callroute console: live parts of a page. Progressive enhancement only: every page is
// complete without this script; with it, an element with data-stream="URL" is redrawn from
// that URL's server-sent events, and <time data-since> counts the seconds since it.
"use strict";

function follow(element) {
  const source = new EventSource(element.dataset.stream);
  source.addEventListener("update", (event) => {
    element.innerHTML = event.data;
    tick();
  });
  source.addEventListener("done", () => {
    source.close();
    const note = document.getElementById("call-live-note");
    if (note) note.textContent = "This call has ended.";
  });
  source.addEventListener("signed-out", () => {
    source.close();
    window.location.assign("/sign-in");
  });
}

function tick() {
  const now = Date.now();
  for (const time of document.querySelectorAll("time[data-since]")) {
    const seconds = Math.max(0, Math.floor((now - Date.parse(time.dataset.since)) / 1000));
    const minutes = Math.floor(seconds / 60);
    time.textContent = minutes + ":" + String(seconds % 60).padStart(2, "0");
  }
}

document.querySelectorAll("[data-stream]").forEach(follow);
tick();
setInterval(tick, 1000);
