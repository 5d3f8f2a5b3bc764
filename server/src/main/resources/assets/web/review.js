// The review page: a live countdown, JSON checks before approving, decisions without a
// reload, and the outcome pushed by the server (SSE) when it is decided anywhere.
(function () {
  'use strict';
  var main = document.getElementById('main');
  var form = document.getElementById('decide');
  var outcome = document.getElementById('outcome');
  var countdown = document.getElementById('countdown');
  var formError = document.getElementById('form-error');
  var params = document.getElementById('params');
  var paramsError = document.getElementById('params-error');
  var answer = document.getElementById('answer');
  var answerError = document.getElementById('answer-error');
  var source = null;
  var finished = main.getAttribute('data-status') !== 'pending';

  // Countdown to expiry, every second while the request is open.
  var expires = countdown ? Date.parse(countdown.getAttribute('data-expires')) : NaN;
  function tick() {
    if (!countdown || isNaN(expires)) return;
    var left = expires - Date.now();
    if (finished) {
      countdown.textContent = new Date(expires).toLocaleString();
      countdown.classList.remove('soon');
      return;
    }
    if (left > 0) {
      countdown.textContent = 'in ' + Interlock.clock(left);
      countdown.classList.toggle('soon', left < 5 * 60 * 1000);
    } else {
      countdown.textContent = 'now (expiring)';
      countdown.classList.add('soon');
    }
  }
  tick();
  var ticker = setInterval(tick, 1000);

  function showError(node, message, field) {
    if (!node) return;
    node.textContent = message;
    node.hidden = !message;
    if (field) {
      if (message) field.setAttribute('aria-invalid', 'true'); else field.removeAttribute('aria-invalid');
    }
  }

  // Parameters must be a JSON object; says where it is wrong, and keeps the text as typed.
  function checkParams() {
    if (!params) return true;
    var text = params.value.trim();
    try {
      var value = JSON.parse(text);
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        showError(paramsError, 'The parameters must be a JSON object, like {"amount": 100}.', params);
        return false;
      }
    } catch (e) {
      showError(paramsError, 'The parameters are not valid JSON: ' + e.message, params);
      return false;
    }
    showError(paramsError, '', params);
    return true;
  }
  if (params) params.addEventListener('blur', checkParams);

  function headline(s) {
    switch (s.status) {
      case 'approved': return 'Approved';
      case 'rejected': return 'Rejected';
      case 'expired': return 'Expired: nobody decided in time';
      case 'cancelled': return 'Cancelled by the agent';
      default: return s.status.charAt(0).toUpperCase() + s.status.slice(1);
    }
  }

  // Shows the final outcome and retires the form; the same words as the server renders.
  function render(s, fromHere) {
    if (!s || s.pending) return;
    finished = true;
    var el = Interlock.el;
    outcome.textContent = '';
    outcome.className = 'outcome shown outcome-' + s.status;
    outcome.appendChild(el('h2', { text: headline(s) }));
    if (s.decidedBy || s.decidedAt) {
      var p = el('p');
      if (s.decidedBy) { p.appendChild(document.createTextNode('By ')); p.appendChild(el('strong', { text: s.decidedBy })); p.appendChild(document.createTextNode(' ')); }
      if (s.decidedAt) p.appendChild(el('time', { datetime: s.decidedAt, 'data-ago': '' }));
      outcome.appendChild(p);
    }
    if (s.response) { var a = el('p', { text: 'Answer: ' }); a.appendChild(el('strong', { text: s.response })); outcome.appendChild(a); }
    if (s.reason) outcome.appendChild(el('p', { text: 'Reason: ' + s.reason }));
    if (s.modifiedParams) {
      outcome.appendChild(el('p', { text: 'Approved with these parameters:' }));
      outcome.appendChild(el('pre', { class: 'json', text: JSON.stringify(s.modifiedParams, null, 2) }));
    }
    outcome.hidden = false;
    Interlock.refreshTimes(outcome);
    var badge = document.getElementById('status-badge');
    if (badge) {
      badge.textContent = '';
      badge.appendChild(el('span', { class: 'badge status-' + s.status, text: s.status.charAt(0).toUpperCase() + s.status.slice(1) }));
    }
    if (form) { form.remove(); form = null; }
    document.title = headline(s).split(':')[0] + ': ' + document.getElementById('title').textContent + ' · Interlock';
    main.setAttribute('data-status', s.status);
    tick();
    clearInterval(ticker);
    if (source) { source.close(); source = null; }
    if (fromHere) outcome.focus();
  }

  // A quorum still short: the count and the approvals so far, as the server renders them.
  function showQuorum(s) {
    if (!s || !s.quorum) return;
    var el = Interlock.el;
    var summary = document.getElementById('quorum');
    if (summary) summary.textContent = s.quorum;
    var routed = document.querySelector('#routing .quorum');
    if (routed) routed.textContent = s.quorum;
    var list = document.getElementById('approvals');
    if (list) {
      list.textContent = '';
      (s.approvals || []).forEach(function (a) {
        var li = el('li', {}, [el('strong', { text: a.by }), ' ']);
        if (a.at) li.appendChild(el('time', { datetime: a.at, 'data-ago': '' }));
        list.appendChild(li);
      });
      Interlock.refreshTimes(list);
    }
    var note = document.getElementById('approved-waiting');
    if (note) note.textContent = waitingText(s);
  }

  function waitingText(s) {
    var left = s.requiredApprovals - (s.approvals || []).length;
    return left > 0 ? 'You approved; waiting for ' + left + ' more' : 'You approved; waiting for the others';
  }

  // This person's approval counted but did not settle it: no approving again, only the note
  // (and Reject, which still settles it).
  function approvedWaiting(s) {
    if (!form) return;
    form.querySelectorAll('[data-approving]').forEach(function (n) { n.remove(); });
    params = null; answer = null;
    var note = document.getElementById('approved-waiting');
    if (!note) {
      note = Interlock.el('p', { id: 'approved-waiting', class: 'waiting', role: 'status', tabindex: '-1' });
      var actions = form.querySelector('.actions');
      actions.insertBefore(note, actions.firstChild);
    }
    note.textContent = waitingText(s);
    showQuorum(s);
    note.focus();
  }

  if (form) {
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      var submitter = e.submitter;
      var approving = submitter && submitter.name === 'decision' && submitter.value === 'approved';
      showError(formError, '');
      if (approving && !checkParams()) { params.focus(); return; }
      if (approving && answer && !answer.value.trim()) {
        showError(answerError, 'Write an answer before sending it.', answer);
        answer.focus();
        return;
      }
      var body = new URLSearchParams(new FormData(form, submitter));
      var buttons = form.querySelectorAll('button');
      buttons.forEach(function (b) { b.disabled = true; });
      fetch(form.action, {
        method: 'POST', credentials: 'same-origin', body: body,
        headers: { 'Accept': 'application/json' }
      }).then(function (r) {
        return r.json().catch(function () { return {}; }).then(function (data) {
          if (r.ok && data.pending) { approvedWaiting(data); return; }
          if (r.ok) { render(data, true); return; }
          if (r.status === 409 && data.state && !data.state.pending) { render(data.state, true); return; }
          showError(formError, data.error || 'The decision was not recorded (HTTP ' + r.status + ').');
          formError.focus && formError.setAttribute('tabindex', '-1');
          formError.focus();
        });
      }).catch(function () {
        showError(formError, 'Could not reach the server. Nothing was decided; try again.');
      }).finally(function () {
        if (form) buttons.forEach(function (b) { b.disabled = false; });
      });
    });
  }

  // Live outcome: the server sends the state now and when the request leaves pending.
  if (!finished && window.EventSource) {
    source = new EventSource(main.getAttribute('data-events'));
    source.addEventListener('state', function (e) {
      var s;
      try { s = JSON.parse(e.data); } catch (err) { return; }
      if (!s.pending) render(s, false); else showQuorum(s);
    });
  }
})();
