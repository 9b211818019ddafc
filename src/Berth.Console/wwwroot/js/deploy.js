// berth-console: follows a deploy job over server-sent events. The page is rendered with what happened so far
// (data-last is the last event it shows); this only adds what follows. No framework, no inline script (CSP).
(() => {
  "use strict";
  const root = document.getElementById("deploy");
  if (!root || !window.EventSource) {
    return;
  }

  const status = document.getElementById("deploy-status");
  const services = document.getElementById("deploy-services");
  const log = document.getElementById("deploy-log");
  const failures = document.getElementById("deploy-failures");
  let last = Number(root.dataset.last || "0");
  if (status.classList.contains("result-ok") || status.classList.contains("result-failed")) {
    return;
  }

  const cell = (text) => {
    const td = document.createElement("td");
    td.textContent = text;
    return td;
  };

  const renderServices = (list) => {
    services.replaceChildren(...list.map((s) => {
      const tr = document.createElement("tr");
      tr.className = s.failed ? "failed" : s.done ? "done" : "waiting";
      tr.append(cell(s.name), cell(`${s.running}/${s.desired}`), cell(s.state));
      return tr;
    }));
  };

  const addLine = (text) => {
    const li = document.createElement("li");
    li.textContent = text;
    log.append(li);
  };

  const source = new EventSource(root.dataset.events);
  const handle = (message) => {
    const e = JSON.parse(message.data);
    if (e.id <= last) {
      return; // already on the page: the stream replays from the start
    }

    last = e.id;
    if (e.services) {
      renderServices(e.services);
    }

    if (e.kind === "line") {
      addLine(e.text);
    } else if (e.kind === "done") {
      addLine(e.text);
      status.textContent = e.text;
      status.className = e.converged ? "result-ok" : "result-failed";
      failures.replaceChildren(...(e.failures || []).map((f) => {
        const li = document.createElement("li");
        li.textContent = f;
        return li;
      }));
      source.close();
    }
  };

  for (const kind of ["line", "progress", "done"]) {
    source.addEventListener(kind, handle);
  }
})();
