// The login page: posts JSON to /api/auth/login, which sets the session cookie.
(function () {
  'use strict';
  var form = document.getElementById('login');
  if (!form) return;
  var error = document.getElementById('login-error');
  var user = document.getElementById('username');
  var pass = document.getElementById('password');

  function next() {
    var n = form.getAttribute('data-next') || '/';
    return n.charAt(0) === '/' && n.charAt(1) !== '/' && n.charAt(1) !== '\\' ? n : '/';
  }

  function fail(message, field) {
    error.textContent = message;
    error.hidden = false;
    [user, pass].forEach(function (f) { f.removeAttribute('aria-invalid'); });
    if (field) { field.setAttribute('aria-invalid', 'true'); field.focus(); }
  }

  function valid() {
    if (!user.value.trim()) { fail('Enter your username.', user); return false; }
    if (pass.value.length < 8) { fail('Enter your password (at least 8 characters).', pass); return false; }
    return true;
  }

  function login() {
    return Interlock.api('POST', '/api/auth/login', { username: user.value.trim(), password: pass.value })
      .then(function (r) {
        if (r.ok) { window.location.assign(next()); return; }
        fail(r.status === 401 ? 'Wrong username or password.' : Interlock.errorText(r), pass);
      });
  }

  function busy(on) { form.querySelectorAll('button').forEach(function (b) { b.disabled = on; }); }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    if (!valid()) return;
    busy(true);
    login().catch(function () { fail('Could not reach the server. Try again.'); }).finally(function () { busy(false); });
  });

  document.getElementById('register').addEventListener('click', function () {
    if (!valid()) return;
    busy(true);
    Interlock.api('POST', '/api/auth/register', { username: user.value.trim(), password: pass.value })
      .then(function (r) {
        if (r.ok) return login();
        fail(Interlock.errorText(r, 'Could not create the account.'), user);
      })
      .catch(function () { fail('Could not reach the server. Try again.'); })
      .finally(function () { busy(false); });
  });
})();
