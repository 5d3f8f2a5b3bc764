// Shared by every page: relative times, copy buttons and a small fetch helper.
(function () {
  'use strict';

  function plural(n, unit) { return n + ' ' + unit + (n === 1 ? '' : 's'); }

  // "3 min", "2 h 5 min", "4 days": a rough span for people, not machines.
  function span(ms) {
    var s = Math.round(Math.abs(ms) / 1000);
    if (s < 60) return plural(s, 'second');
    var m = Math.floor(s / 60);
    if (m < 60) return m + ' min';
    var h = Math.floor(m / 60);
    if (h < 24) return h + ' h' + (m % 60 ? ' ' + (m % 60) + ' min' : '');
    var d = Math.floor(h / 24);
    return plural(d, 'day') + (h % 24 ? ' ' + (h % 24) + ' h' : '');
  }

  // A countdown: "12:07", "1:02:09", "3 days 4 h".
  function clock(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    if (s >= 86400) return span(ms);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    var two = function (n) { return (n < 10 ? '0' : '') + n; };
    return (h ? h + ':' + two(m) : m) + ':' + two(sec);
  }

  function refreshTimes(root) {
    var now = Date.now();
    (root || document).querySelectorAll('time[datetime]').forEach(function (t) {
      var at = Date.parse(t.getAttribute('datetime'));
      if (isNaN(at)) return;
      if (!t.title) t.title = new Date(at).toLocaleString();
      var diff = at - now;
      if (t.hasAttribute('data-until')) {
        t.textContent = diff > 0 ? 'in ' + span(diff) : span(diff) + ' ago';
      } else if (t.hasAttribute('data-ago')) {
        t.textContent = diff > 5000 ? 'in ' + span(diff) : (Math.abs(diff) < 5000 ? 'just now' : span(diff) + ' ago');
      }
    });
  }

  // JSON over fetch with the session cookie; resolves to {ok, status, body}.
  function api(method, url, body, headers) {
    var h = { 'Accept': 'application/json' };
    if (body !== undefined) h['Content-Type'] = 'application/json';
    Object.keys(headers || {}).forEach(function (k) { h[k] = headers[k]; });
    return fetch(url, {
      method: method, headers: h, credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (r) {
      return r.text().then(function (text) {
        var parsed = null;
        try { parsed = text ? JSON.parse(text) : null; } catch (e) { parsed = null; }
        return { ok: r.ok, status: r.status, body: parsed, headers: r.headers };
      });
    });
  }

  // Error bodies differ by dialect: {error: "..."} or {error: {message}}.
  function errorText(result, fallback) {
    var e = result && result.body && result.body.error;
    if (typeof e === 'string') return e;
    if (e && e.message) return e.message;
    if (result && result.status === 401) return 'Your session has expired: log in again.';
    return fallback || 'Something went wrong (HTTP ' + (result ? result.status : '?') + ').';
  }

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else if (k === 'class') node.className = attrs[k];
      else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === 'string' ? document.createTextNode(c) : c);
    });
    return node;
  }

  function copyFrom(id, button) {
    var input = document.getElementById(id);
    if (!input) return;
    var done = function () { button.textContent = 'Copied'; setTimeout(function () { button.textContent = 'Copy'; }, 2000); };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () { input.select(); });
    } else {
      input.select();
      try { document.execCommand('copy'); done(); } catch (e) { /* selected for the person to copy */ }
    }
  }

  document.addEventListener('click', function (e) {
    var b = e.target.closest && e.target.closest('[data-copy]');
    if (b) copyFrom(b.getAttribute('data-copy'), b);
  });

  // A select marked data-autosubmit (the workspace switcher) submits its form when changed;
  // the form's own button does the same without JavaScript.
  document.addEventListener('change', function (e) {
    var s = e.target;
    if (s && s.matches && s.matches('select[data-autosubmit]') && s.form) s.form.submit();
  });

  window.Interlock = { span: span, clock: clock, refreshTimes: refreshTimes, api: api, errorText: errorText, el: el };
  refreshTimes();
  setInterval(refreshTimes, 15000);
})();
