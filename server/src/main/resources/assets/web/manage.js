// API keys, policies and webhooks: forms and lists over the existing REST endpoints
// (/api/keys, /api/policies, /api/webhooks), authenticated by the session cookie. Their
// lists are AgentGate's envelopes: {keys}, {policies, pagination}, {webhooks}.
(function () {
  'use strict';
  var el = Interlock.el, api = Interlock.api;
  var page = document.getElementById('main').getAttribute('data-page');

  function formError(form, message) {
    var e = form.querySelector('.error');
    e.textContent = message || '';
    e.hidden = !message;
  }
  function when(iso) { return iso ? el('time', { datetime: iso, 'data-ago': '' }, [iso]) : '–'; }
  function cell(content) { return el('td', {}, [content === null || content === undefined ? '–' : content]); }
  function renderTable(box, headers, rows, empty) {
    box.textContent = '';
    if (!rows.length) { box.appendChild(el('p', { class: 'muted', text: empty })); return; }
    var t = el('table', { class: 'manage-list' });
    t.appendChild(el('thead', {}, [el('tr', {}, headers.map(function (h) { return el('th', { scope: 'col', text: h }); }))]));
    var body = el('tbody');
    rows.forEach(function (r) { body.appendChild(el('tr', {}, r.map(cell))); });
    t.appendChild(body);
    box.appendChild(el('div', { class: 'table-wrap' }, [t]));
    Interlock.refreshTimes(box);
  }
  function loadError(box, r) { box.textContent = ''; box.appendChild(el('p', { class: 'error', text: Interlock.errorText(r) })); }
  function checked(form, name) {
    return Array.prototype.slice.call(form.querySelectorAll('input[name="' + name + '"]:checked')).map(function (i) { return i.value; });
  }
  function showSecret(box, label, value) {
    box.textContent = '';
    box.appendChild(el('p', {}, [el('strong', { text: label })]));
    var id = 'secret-' + Date.now();
    box.appendChild(el('div', { class: 'copy' }, [
      el('label', { class: 'visually-hidden', for: id, text: label }),
      el('input', { id: id, type: 'text', readonly: 'readonly', value: value }),
      el('button', { type: 'button', class: 'btn small', 'data-copy': id, text: 'Copy' })]));
    box.hidden = false;
    box.querySelector('input').focus();
  }

  // --- API keys -------------------------------------------------------------------------
  if (page === 'keys') {
    var keyForm = document.getElementById('key-form'), keyList = document.getElementById('key-list');
    var loadKeys = function () {
      api('GET', '/api/keys').then(function (r) {
        if (!r.ok) return loadError(keyList, r);
        renderTable(keyList, ['Name', 'Key', 'Scopes', 'Rate limit', 'Created', 'Last used', 'Status', ''],
          r.body.keys.map(function (k) {
            var revoke = k.active ? el('button', { type: 'button', class: 'btn small danger', 'data-revoke': k.id, 'aria-label': 'Revoke key ' + k.name, text: 'Revoke' }) : '';
            return [k.name, el('code', { text: k.prefix + '…' }), k.scopes.join(', '), k.rateLimit ? k.rateLimit + '/min' : 'none',
              when(k.createdAt), when(k.lastUsedAt), k.active ? 'active' : 'revoked', revoke];
          }), 'No keys yet.');
      });
    };
    keyForm.addEventListener('submit', function (e) {
      e.preventDefault();
      var name = keyForm.elements.name.value.trim(), scopes = checked(keyForm, 'scopes');
      var rate = keyForm.elements.rateLimit.value.trim();
      if (!name) { formError(keyForm, 'Give the key a name.'); keyForm.elements.name.focus(); return; }
      if (!scopes.length) { formError(keyForm, 'Choose at least one scope.'); return; }
      formError(keyForm, '');
      var body = { name: name, scopes: scopes };
      if (rate) body.rateLimit = parseInt(rate, 10);
      api('POST', '/api/keys', body).then(function (r) {
        if (!r.ok) return formError(keyForm, Interlock.errorText(r));
        keyForm.reset();
        showSecret(document.getElementById('key-secret'), 'Copy the key now: it is not shown again.', r.body.key);
        loadKeys();
      });
    });
    keyList.addEventListener('click', function (e) {
      var b = e.target.closest('[data-revoke]');
      if (!b || !window.confirm('Revoke this key? Agents using it stop working at once.')) return;
      api('DELETE', '/api/keys/' + encodeURIComponent(b.getAttribute('data-revoke'))).then(loadKeys);
    });
    loadKeys();
  }

  // --- Policies -------------------------------------------------------------------------
  if (page === 'policies') {
    var policyForm = document.getElementById('policy-form'), policyList = document.getElementById('policy-list');
    var loadPolicies = function () {
      api('GET', '/api/policies?limit=100').then(function (r) {
        if (!r.ok) return loadError(policyList, r);
        renderTable(policyList, ['Priority', 'Name', 'Rules', 'Enabled', ''], r.body.policies.map(function (p) {
          var actions = el('div', { class: 'row-actions' }, [
            el('button', { type: 'button', class: 'btn small', 'data-toggle': p.id, 'data-enabled': String(p.enabled),
              'aria-label': (p.enabled ? 'Disable ' : 'Enable ') + p.name, text: p.enabled ? 'Disable' : 'Enable' }),
            el('button', { type: 'button', class: 'btn small danger', 'data-delete': p.id, 'aria-label': 'Delete ' + p.name, text: 'Delete' })]);
          return [String(p.priority), p.name + ' (v' + p.version + ')', el('pre', { class: 'json small', text: JSON.stringify(p.rules, null, 2) }),
            p.enabled ? 'yes' : 'no', actions];
        }), 'No policies: every request goes to a person.');
        if (r.body.pagination.hasMore) {
          policyList.appendChild(el('p', { class: 'muted', text: 'The first ' + r.body.policies.length + ' of ' +
            r.body.pagination.total + ' policies, in evaluation order.' }));
        }
      });
    };
    policyForm.addEventListener('submit', function (e) {
      e.preventDefault();
      var f = policyForm.elements, rules;
      if (!f.name.value.trim()) { formError(policyForm, 'Give the policy a name.'); f.name.focus(); return; }
      try { rules = JSON.parse(f.rules.value); } catch (err) {
        formError(policyForm, 'The rules are not valid JSON: ' + err.message); f.rules.setAttribute('aria-invalid', 'true'); f.rules.focus(); return;
      }
      if (!Array.isArray(rules)) { formError(policyForm, 'The rules must be a JSON array.'); f.rules.focus(); return; }
      f.rules.removeAttribute('aria-invalid');
      formError(policyForm, '');
      api('POST', '/api/policies', { name: f.name.value.trim(), priority: parseInt(f.priority.value || '100', 10),
        enabled: f.enabled.checked, rules: rules }).then(function (r) {
        if (!r.ok) return formError(policyForm, Interlock.errorText(r));
        f.name.value = '';
        loadPolicies();
      });
    });
    policyList.addEventListener('click', function (e) {
      var t = e.target.closest('[data-toggle]'), d = e.target.closest('[data-delete]');
      if (t) {
        api('PATCH', '/api/policies/' + encodeURIComponent(t.getAttribute('data-toggle')),
          { enabled: t.getAttribute('data-enabled') !== 'true' }).then(loadPolicies);
      } else if (d && window.confirm('Delete this policy?')) {
        api('DELETE', '/api/policies/' + encodeURIComponent(d.getAttribute('data-delete'))).then(loadPolicies);
      }
    });
    loadPolicies();
  }

  // --- Webhooks -------------------------------------------------------------------------
  if (page === 'webhooks') {
    var hookForm = document.getElementById('webhook-form'), hookList = document.getElementById('webhook-list');
    var loadHooks = function () {
      api('GET', '/api/webhooks').then(function (r) {
        if (!r.ok) return loadError(hookList, r);
        renderTable(hookList, ['URL', 'Events', 'Created', 'Enabled', ''], r.body.webhooks.map(function (w) {
          var deliveries = el('details', { 'data-deliveries': w.id }, [el('summary', { text: 'Deliveries' }), el('div', { text: 'Loading…' })]);
          var actions = el('div', { class: 'row-actions' }, [
            el('button', { type: 'button', class: 'btn small', 'data-test': w.id, 'aria-label': 'Send a test event to ' + w.url, text: 'Test' }),
            el('button', { type: 'button', class: 'btn small', 'data-toggle': w.id, 'data-enabled': String(w.enabled),
              'aria-label': (w.enabled ? 'Disable webhook ' : 'Enable webhook ') + w.url, text: w.enabled ? 'Disable' : 'Enable' }),
            el('button', { type: 'button', class: 'btn small danger', 'data-delete': w.id, 'aria-label': 'Delete webhook ' + w.url, text: 'Delete' })]);
          return [el('div', {}, [el('code', { text: w.url }), deliveries]), w.events.join(', '), when(w.createdAt),
            w.enabled ? 'yes' : 'no', actions];
        }), 'No webhooks yet.');
        hookList.insertBefore(el('p', { class: 'muted', id: 'hook-test-result', role: 'status' }), hookList.firstChild);
      });
    };
    hookForm.addEventListener('submit', function (e) {
      e.preventDefault();
      var f = hookForm.elements, events = checked(hookForm, 'events');
      if (!/^https?:\/\/.+/i.test(f.url.value.trim())) { formError(hookForm, 'Enter an http or https URL.'); f.url.focus(); return; }
      if (!events.length) { formError(hookForm, 'Choose at least one event.'); return; }
      formError(hookForm, '');
      var body = { url: f.url.value.trim(), events: events };
      if (f.secret.value.trim()) body.secret = f.secret.value.trim();
      api('POST', '/api/webhooks', body).then(function (r) {
        if (!r.ok) return formError(hookForm, Interlock.errorText(r));
        hookForm.reset();
        showSecret(document.getElementById('hook-secret-out'), 'Signing secret (shown once): verify X-AgentGate-Signature with it.', r.body.secret);
        loadHooks();
      });
    });
    hookList.addEventListener('click', function (e) {
      var d = e.target.closest('[data-delete]'), t = e.target.closest('[data-toggle]'), x = e.target.closest('[data-test]');
      if (x) {
        var out = document.getElementById('hook-test-result');
        out.textContent = 'Sending a test event…';
        api('POST', '/api/webhooks/' + encodeURIComponent(x.getAttribute('data-test')) + '/test').then(function (r) {
          out.textContent = r.ok ? r.body.message : Interlock.errorText(r);
        });
      } else if (t) {
        api('PATCH', '/api/webhooks/' + encodeURIComponent(t.getAttribute('data-toggle')),
          { enabled: t.getAttribute('data-enabled') !== 'true' }).then(loadHooks);
      } else if (d && window.confirm('Delete this webhook?')) {
        api('DELETE', '/api/webhooks/' + encodeURIComponent(d.getAttribute('data-delete'))).then(loadHooks);
      }
    });
    hookList.addEventListener('toggle', function (e) {
      var det = e.target;
      if (!det.open || !det.hasAttribute('data-deliveries')) return;
      var box = det.querySelector('div');
      api('GET', '/api/webhooks/' + encodeURIComponent(det.getAttribute('data-deliveries')) + '/deliveries').then(function (r) {
        if (!r.ok) return loadError(box, r);
        renderTable(box, ['Event', 'Status', 'Attempts', 'Last HTTP', 'Created'], r.body.map(function (x) {
          return [x.event, x.status, String(x.attempts), x.lastStatus === null ? (x.lastError || '–') : String(x.lastStatus), when(x.createdAt)];
        }), 'No deliveries yet.');
      });
    }, true);
    loadHooks();
  }
})();
