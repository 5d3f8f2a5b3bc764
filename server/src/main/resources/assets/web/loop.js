// One loop's page: follows the loop live (server-sent events from /ui/loops/{id}/events),
// appending what the agent says and does to its turn, and sends the page's forms (a choice's
// answer, a message, Interrupt) without a reload. Turns and choices arrive rendered by the
// server (LoopPageStreams); text, tool calls and statuses are small enough to build here.
(function () {
  'use strict';
  var main = document.getElementById('main');
  var transcript = document.getElementById('transcript');
  var live = document.getElementById('live');
  var streamNote = document.getElementById('stream-note');
  var el = Interlock.el;

  var STATUS = { queued: 'Queued', running: 'Running', done: 'Done', interrupted: 'Interrupted', error: 'Error' };

  function say(message) { live.textContent = message; }

  function fragment(html) {
    var t = document.createElement('template');
    t.innerHTML = html;
    return t.content.firstElementChild;
  }

  // Keeps the newest at the bottom in view when the reader was already there.
  function atBottom() {
    return window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 120;
  }
  function follow(wasAtBottom) {
    if (wasAtBottom) window.scrollTo(0, document.documentElement.scrollHeight);
  }

  function turn(id) { return document.getElementById('turn-' + id); }

  function blocks(id) {
    var t = turn(id);
    return t ? t.querySelector('.blocks') : null;
  }

  function setStatus(id, status) {
    var t = turn(id);
    if (!t) return;
    t.setAttribute('data-status', status);
    var badge = t.querySelector('.turn-status');
    if (badge) {
      badge.className = 'badge turn-status turn-' + status;
      badge.textContent = STATUS[status] || status;
    }
  }

  // The loop's badge, from its turns: waiting for a choice, busy, or idle.
  function loopState() {
    var badge = document.getElementById('loop-state');
    if (!badge) return;
    var open = transcript.querySelectorAll('.turn[data-status=running], .turn[data-status=queued]').length > 0;
    var waiting = transcript.querySelector('.turn[data-status=running] .choice.pending') !== null;
    var state = waiting ? ['waiting', 'Waiting for a choice'] : open ? ['busy', 'Busy'] : ['idle', 'Idle'];
    badge.className = 'badge loop-state loop-' + state[0];
    badge.textContent = state[1];
  }

  function appendText(id, text, thinking) {
    var b = blocks(id);
    if (!b || !text) return;
    var last = b.lastElementChild;
    if (thinking) {
      if (!last || !last.classList.contains('thought')) {
        last = el('details', { class: 'block thought' }, [el('summary', { text: 'Thinking' }), el('div', { class: 'thought-text' })]);
        b.appendChild(last);
      }
      last.querySelector('.thought-text').appendChild(document.createTextNode(text));
    } else {
      if (!last || !last.classList.contains('say')) {
        last = el('div', { class: 'block say' });
        b.appendChild(last);
      }
      last.appendChild(document.createTextNode(text));
    }
  }

  function toolCall(id, d) {
    var b = blocks(id);
    if (!b) return;
    var parts = [el('span', { class: 'tool-name', text: d.tool || 'tool' })];
    if (d.input_summary) { parts.push(' '); parts.push(el('code', { class: 'tool-summary', text: d.input_summary })); }
    parts.push(' ');
    parts.push(el('span', { class: 'tool-state', text: 'running' }));
    var node = el('div', { class: 'block tool tool-running', 'data-tool': d.tool_use_id || '' }, parts);
    b.appendChild(node);
  }

  function toolResult(id, d) {
    var b = blocks(id);
    if (!b) return;
    var tools = b.querySelectorAll('.tool');
    for (var i = tools.length - 1; i >= 0; i--) {
      if (tools[i].getAttribute('data-tool') === (d.tool_use_id || '')) {
        var ok = d.ok !== false;
        tools[i].className = 'block tool tool-' + (ok ? 'ok' : 'failed');
        tools[i].querySelector('.tool-state').textContent = ok ? 'done' : 'failed';
        return;
      }
    }
  }

  // A choice as the server rendered it for this person: replaces the one shown, if any.
  function choice(id, choiceId, html) {
    if (!html) return;
    var node = fragment(html);
    var old = document.getElementById(choiceId);
    if (old) {
      old.replaceWith(node);
    } else {
      var b = blocks(id);
      if (!b) return;
      b.appendChild(node);
    }
    Interlock.refreshTimes(node);
  }

  function errorText(d) {
    return 'Error' + (d.code ? ' (' + d.code + ')' : '') + (d.message ? ': ' + d.message : '');
  }

  function handle(name, e) {
    var m;
    try { m = JSON.parse(e.data); } catch (err) { return; }
    var id = m.turn_id, d = m.data || {};
    var wasAtBottom = atBottom();
    switch (name) {
      case 'turn':
        if (!turn(id)) {
          var node = fragment(m.html);
          transcript.appendChild(node);
          Interlock.refreshTimes(node);
          var none = document.getElementById('no-turns');
          if (none) none.remove();
        }
        break;
      case 'queued': setStatus(id, 'queued'); break;
      case 'started': setStatus(id, 'running'); say('The agent started working.'); break;
      case 'assistant_delta': appendText(id, d.text, false); break;
      case 'thinking_delta': appendText(id, d.text, true); break;
      case 'tool_call': toolCall(id, d); break;
      case 'tool_result': toolResult(id, d); break;
      case 'requires_choice': choice(id, m.choice_id, m.html); say('The agent is waiting for a choice.'); break;
      case 'choice_resolved': choice(id, m.choice_id, m.html); say('The choice was answered.'); break;
      case 'done': setStatus(id, 'done'); say('The turn is done.'); break;
      case 'interrupted': setStatus(id, 'interrupted'); say('The turn was interrupted.'); break;
      case 'error':
        setStatus(id, 'error');
        var b = blocks(id);
        if (b) b.appendChild(el('p', { class: 'block notice notice-error', text: errorText(d) }));
        say(errorText(d));
        break;
    }
    loopState();
    follow(wasAtBottom);
  }

  if (window.EventSource) {
    var source = new EventSource(main.getAttribute('data-events'));
    ['turn', 'queued', 'started', 'assistant_delta', 'thinking_delta', 'tool_call', 'tool_result',
      'requires_choice', 'choice_resolved', 'done', 'interrupted'].forEach(function (name) {
      source.addEventListener(name, function (e) { handle(name, e); });
    });
    // "error" is both the loop's event and the EventSource's own failure (without data).
    source.addEventListener('error', function (e) {
      if (e.data) { handle('error', e); return; }
      if (source.readyState === EventSource.CLOSED) {
        streamNote.textContent = 'Live updates stopped. Reload the page to follow the loop again.';
        streamNote.hidden = false;
      }
    });
    source.addEventListener('open', function () { streamNote.hidden = true; });
  }

  // A fresh Idempotency-Key for the next message (crypto.randomUUID needs a secure context).
  function newKey() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b < 16 ? '0' : '') + b.toString(16); }).join('');
  }

  function showError(node, message) {
    if (!node) return;
    node.textContent = message || '';
    node.hidden = !message;
  }

  function post(form, body) {
    return fetch(form.action, {
      method: 'POST', credentials: 'same-origin',
      body: body,
      headers: { 'Accept': 'application/json' }
    }).then(function (r) {
      return r.json().catch(function () { return {}; }).then(function (data) {
        return { ok: r.ok, status: r.status, body: data };
      });
    });
  }

  function failure(r) {
    if (r.status === 401) return 'Your session has expired: log in again.';
    return (r.body && r.body.error) || 'That did not work (HTTP ' + r.status + ').';
  }

  document.addEventListener('submit', function (e) {
    var form = e.target;
    var isChoice = form.classList.contains('choice-form');
    if (!isChoice && form.id !== 'send' && form.id !== 'interrupt') return;
    e.preventDefault();
    // The fields (with the button pressed, as Allow or Deny) before the buttons are
    // disabled: a disabled button is left out of the form's data.
    var body = new URLSearchParams(new FormData(form, e.submitter));
    var error = isChoice ? form.querySelector('.choice-error') : document.getElementById('send-error');
    var buttons = form.querySelectorAll('button');
    buttons.forEach(function (b) { b.disabled = true; });
    showError(error, '');
    post(form, body).then(function (r) {
      if (!r.ok) { showError(error, failure(r)); return; }
      if (isChoice) {
        if (r.body.status === 'pending') {
          showError(error, 'Your approval is recorded; still waiting: ' + (r.body.quorum || 'for more approvals') + '.');
        } else {
          say('Your answer was sent.');
        }
        return; // the stream replaces the choice with its outcome
      }
      if (form.id === 'send') {
        form.querySelector('textarea').value = '';
        form.querySelector('input[name=key]').value = newKey();
        say('Message sent.');
      } else {
        say('Interrupting the turn.');
      }
    }).catch(function () {
      showError(error, 'Could not reach the server. Try again.');
    }).finally(function () {
      buttons.forEach(function (b) { b.disabled = false; });
    });
  });

  loopState();
})();
