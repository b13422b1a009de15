/* A background job's page: poll the job's state, move the progress bar, show the result when done. */
(function () {
  "use strict";
  function start() {
    var page = document.querySelector(".job[data-state-url]");
    if (!page || page.dataset.finished === "1") return;
    var bar = document.getElementById("job-bar");
    var count = document.getElementById("job-count");
    var note = document.getElementById("job-note");
    var status = document.getElementById("job-status");
    var delay = 1000;
    function show(state) {
      if (state.finished) {
        window.location.reload(); // the page then renders the result
        return;
      }
      if (state.percent === null) bar.removeAttribute("value");
      else bar.value = state.percent;
      bar.textContent = state.percent === null ? "" : state.percent + "%";
      count.textContent = state.done + (state.total ? " of " + state.total : "");
      note.textContent = state.note;
      status.textContent = state.status_label;
      window.setTimeout(poll, delay);
    }
    function poll() {
      fetch(page.dataset.stateUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) throw new Error(response.status);
          return response.json();
        })
        .then(show)
        .catch(function () {
          delay = Math.min(delay * 2, 30000); // the server is busy or gone: ask less often
          window.setTimeout(poll, delay);
        });
    }
    window.setTimeout(poll, delay);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
