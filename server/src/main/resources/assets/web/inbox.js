// The inbox: what is assigned to you first, filters, inline and bulk decisions, and live
// updates by SSE.
(function () {
  'use strict';
  var main = document.getElementById('main');
  var csrf = main.getAttribute('data-csrf');
  var list = document.getElementById('inbox');
  var filters = document.getElementById('filters');
  var count = document.getElementById('inbox-count');
  var live = document.getElementById('live');
  var error = document.getElementById('inbox-error');
  var selectAll = document.getElementById('select-all');
  var selected = document.getElementById('selected-count');
  var reason = document.getElementById('bulk-reason');
  var bulkButtons = document.querySelectorAll('[data-bulk]');

  function say(message) { live.textContent = message; }
  function fail(message) { error.textContent = message; error.hidden = !message; }

  function picks() { return Array.prototype.slice.call(list.querySelectorAll('input.pick')); }
  function chosen() { return picks().filter(function (p) { return p.checked; }).map(function (p) { return p.value; }); }

  function updateSelection() {
    if (!selectAll) return; // a viewer's inbox: nothing to select or decide
    var n = chosen().length, all = picks().length;
    selected.textContent = n + ' selected';
    bulkButtons.forEach(function (b) { b.disabled = n === 0; });
    selectAll.checked = all > 0 && n === all;
    selectAll.indeterminate = n > 0 && n < all;
  }

  function query() {
    var q = new URLSearchParams(new FormData(filters));
    Array.from(q.keys()).forEach(function (k) { if (!q.get(k)) q.delete(k); });
    return q.toString();
  }

  function countText(n) {
    return n === 0 ? 'Nothing is waiting for you.' : n === 1 ? '1 request waiting' : n + ' requests waiting';
  }

  var pending = null;
  function shown() {
    return Array.prototype.slice.call(list.querySelectorAll('li.item')).map(function (li) { return li.getAttribute('data-id'); });
  }

  // Reloads the lists (assigned to you, everything else) from the server, which puts each
  // request in its section; keeps what was selected and marks what is new.
  function refresh() {
    var keep = chosen();
    var before = shown();
    return fetch('/ui/inbox?' + query(), { credentials: 'same-origin', headers: { 'Accept': 'text/html' } })
      .then(function (r) {
        if (r.status === 401) { window.location.assign('/ui/login?next=' + encodeURIComponent('/?' + query())); return; }
        if (!r.ok) throw new Error('HTTP ' + r.status);
        var n = parseInt(r.headers.get('X-Inbox-Count') || '0', 10);
        return r.text().then(function (html) {
          list.innerHTML = html;
          picks().forEach(function (p) { if (keep.indexOf(p.value) >= 0) p.checked = true; });
          list.querySelectorAll('li.item').forEach(function (li) {
            if (before.length && before.indexOf(li.getAttribute('data-id')) < 0) li.classList.add('fresh');
          });
          count.textContent = countText(n);
          Interlock.refreshTimes(list);
          updateSelection();
        });
      })
      .catch(function () { fail('Could not refresh the inbox. It will try again.'); });
  }
  function soon() {
    if (pending) clearTimeout(pending);
    pending = setTimeout(function () { pending = null; fail(''); refresh(); }, 200);
  }

  function decide(ids, decision, why) {
    fail('');
    return Interlock.api('POST', '/ui/decide', { ids: ids, decision: decision, reason: why || null },
      { 'X-CSRF-Token': csrf })
      .then(function (r) {
        if (!r.ok) { fail(Interlock.errorText(r)); return; }
        var ok = r.body.results.filter(function (x) { return x.ok; });
        var failed = r.body.results.filter(function (x) { return !x.ok; });
        // An approval short of a quorum is recorded, but the request still waits: say so,
        // never "approved".
        var waiting = ok.filter(function (x) { return x.status === 'pending'; });
        var done = ok.length - waiting.length;
        var verb = decision === 'approved' ? 'Approved' : 'Rejected';
        var words = [];
        if (done || !waiting.length) words.push(verb + ' ' + done + (done === 1 ? ' request.' : ' requests.'));
        if (waiting.length === 1) words.push('Your approval is recorded; still waiting: ' + waiting[0].quorum + '.');
        else if (waiting.length) words.push(waiting.length + ' approvals recorded; those requests wait for more approvals.');
        say(words.join(' '));
        if (failed.length) fail(failed.length + ' could not be decided: ' + failed[0].error);
        if (decision && reason && ok.length) reason.value = '';
        return refresh();
      })
      .catch(function () { fail('Could not reach the server. Nothing was decided; try again.'); });
  }

  list.addEventListener('click', function (e) {
    var b = e.target.closest('button[data-decide]');
    if (!b) return;
    var id = b.closest('li').getAttribute('data-id');
    b.disabled = true;
    decide([id], b.getAttribute('data-decide')).finally(function () { b.disabled = false; });
  });
  list.addEventListener('change', function (e) { if (e.target.classList.contains('pick')) updateSelection(); });
  if (selectAll) {
    selectAll.addEventListener('change', function () {
      picks().forEach(function (p) { p.checked = selectAll.checked; });
      updateSelection();
    });
  }
  bulkButtons.forEach(function (b) {
    b.addEventListener('click', function () {
      var ids = chosen();
      if (!ids.length) return;
      bulkButtons.forEach(function (x) { x.disabled = true; });
      decide(ids, b.getAttribute('data-bulk'), reason.value.trim()).finally(updateSelection);
    });
  });

  // Filters apply as soon as they change; the URL keeps them for reloads and bookmarks.
  filters.addEventListener('change', function () {
    history.replaceState(null, '', '/' + (query() ? '?' + query() : ''));
    refresh();
  });
  filters.addEventListener('submit', function (e) { e.preventDefault(); refresh(); });

  if (window.EventSource) {
    var events = new EventSource('/ui/events');
    events.addEventListener('change', function (e) {
      var c;
      try { c = JSON.parse(e.data); } catch (err) { return; }
      if (c.kind === 'created') say('New request: ' + c.action);
      soon();
    });
    events.addEventListener('resync', soon);
    var opened = false;
    events.addEventListener('open', function () {
      // After a reconnect, catch up on whatever happened while the stream was down.
      if (opened) soon();
      opened = true;
    });
  }
  // A safety net for missed events and for filters by age.
  setInterval(refresh, 60000);
  updateSelection();
})();
