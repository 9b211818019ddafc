// The stack page's live view: snapshots of services and tasks from the server's event stream, rendered with
// textContent only (nothing the server sends is parsed as HTML). The stream closes when the page is left.
(() => {
  const services = document.getElementById('services');
  const tasks = document.getElementById('tasks');
  const status = document.getElementById('live-status');
  if (!services || !tasks || !services.dataset.events || !window.EventSource) {
    return;
  }

  const labels = Array.from(tasks.tHead.rows[0].cells, cell => cell.textContent);
  const withRestarts = tasks.dataset.restarts === 'true';
  const source = new EventSource(services.dataset.events);

  source.addEventListener('snapshot', event => {
    const snapshot = JSON.parse(event.data);
    if (snapshot.problem) {
      status.textContent = 'The stack could not be read: ' + snapshot.problem;
      return;
    }

    for (const service of snapshot.services) {
      const row = services.querySelector('tr[data-service="' + CSS.escape(service.name) + '"]');
      const cell = row && row.querySelector('[data-cell="replicas"]');
      if (cell) {
        cell.textContent = service.replicas;
      }
    }

    const body = document.createElement('tbody');
    for (const task of snapshot.tasks) {
      const row = body.insertRow();
      const values = [task.name, task.node, task.desiredState, task.state, task.since, task.error];
      if (withRestarts) {
        values.push(task.restarts);
      }

      values.forEach((value, index) => {
        const cell = row.insertCell();
        cell.textContent = value;
        cell.dataset.label = labels[index];
      });
    }

    tasks.replaceChild(body, tasks.tBodies[0]);
    status.textContent = 'Live: updated at ' + new Date().toLocaleTimeString() + '.';
  });
  source.addEventListener('error', () => {
    status.textContent = 'Live updates interrupted; reconnecting…';
  });
  window.addEventListener('pagehide', () => source.close());
})();
