// The logs page: lines from the server's event stream appended as text (never HTML) to the role="log" element,
// keeping at most data-keep lines. The stream closes when the page is left or the server says it ended.
(() => {
  const log = document.getElementById('log');
  const status = document.getElementById('log-status');
  if (!log || !log.dataset.stream || !window.EventSource) {
    return;
  }

  const keep = Number(log.dataset.keep) || 2000;
  const source = new EventSource(log.dataset.stream);
  let count = 0;
  status.textContent = 'Reading' + (log.dataset.stream.endsWith('follow=1') ? ' and following' : '') + '…';

  source.addEventListener('line', event => {
    const line = JSON.parse(event.data);
    const element = document.createElement('div');
    element.className = 'line ' + line.stream;
    element.textContent = line.service + '.' + line.replica + ' | ' + line.message;
    const atBottom = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
    log.appendChild(element);
    while (log.childElementCount > keep) {
      log.firstElementChild.remove();
    }

    if (atBottom) {
      log.scrollTop = log.scrollHeight;
    }

    count++;
  });
  source.addEventListener('problem', event => {
    status.textContent = event.data;
    source.close();
  });
  source.addEventListener('end', event => {
    const shown = count > keep ? ', the newest ' + keep + ' shown' : '';
    status.textContent = count + ' line(s)' + shown + '; ' + (event.data === 'limit' ? 'the stream reached its limit.' : 'no more lines.');
    source.close();
  });
  window.addEventListener('pagehide', () => source.close());
})();
