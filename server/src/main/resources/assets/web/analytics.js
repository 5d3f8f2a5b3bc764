// Analytics charts, drawn as plain SVG from the JSON the page carries. Each chart also has
// its numbers in a table, for screen readers and for copying.
(function () {
  'use strict';
  var NS = 'http://www.w3.org/2000/svg';
  var data = JSON.parse(document.getElementById('analytics-data').textContent);
  var COLORS = { approved: '#0f7a3d', rejected: '#c0352b', expired: '#6b7280', other: '#3b6fd8',
    p50: '#1d4ed8', p90: '#b45309', p99: '#9d174d' };

  function svg(w, h, box) {
    var s = document.createElementNS(NS, 'svg');
    s.setAttribute('viewBox', '0 0 ' + w + ' ' + h);
    s.setAttribute('role', 'img');
    s.setAttribute('aria-labelledby', box + '-h ' + box + '-d');
    return s;
  }
  function node(name, attrs, text) {
    var n = document.createElementNS(NS, name);
    Object.keys(attrs).forEach(function (k) { n.setAttribute(k, attrs[k]); });
    if (text !== undefined) n.textContent = text;
    return n;
  }
  function duration(ms) {
    if (ms === null || ms === undefined) return '–';
    if (ms < 1000) return Math.round(ms) + ' ms';
    if (ms < 60000) return (ms / 1000).toFixed(ms < 10000 ? 1 : 0) + ' s';
    if (ms < 3600000) return Math.round(ms / 60000) + ' min';
    return (ms / 3600000).toFixed(1) + ' h';
  }
  function nice(max) {
    if (max <= 0) return 1;
    var p = Math.pow(10, Math.floor(Math.log10(max)));
    var m = max / p;
    return (m <= 1 ? 1 : m <= 2 ? 2 : m <= 5 ? 5 : 10) * p;
  }
  function short(day) { return day.slice(5); }

  function legend(items) {
    var ul = Interlock.el('ul', { class: 'legend' });
    items.forEach(function (i) {
      var sw = Interlock.el('span', { class: 'swatch', 'aria-hidden': 'true' });
      sw.style.background = i[1];
      ul.appendChild(Interlock.el('li', {}, [sw, i[0]]));
    });
    return ul;
  }

  function table(headers, rows) {
    var t = Interlock.el('table');
    var head = Interlock.el('tr', {}, headers.map(function (h) { return Interlock.el('th', { scope: 'col', text: h }); }));
    t.appendChild(Interlock.el('thead', {}, [head]));
    var body = Interlock.el('tbody');
    rows.forEach(function (r) { body.appendChild(Interlock.el('tr', {}, r.map(function (c) { return Interlock.el('td', { text: String(c) }); }))); });
    t.appendChild(body);
    return Interlock.el('details', { class: 'data' }, [Interlock.el('summary', { text: 'Show the numbers' }),
      Interlock.el('div', { class: 'table-wrap' }, [t])]);
  }

  // Axes shared by the time charts: y ticks at 0, half and max; x labels at both ends and middle.
  var W = 720, H = 240, L = 56, R = 12, T = 12, B = 28;
  function frame(s, max, fmt, days) {
    [0, 0.5, 1].forEach(function (f) {
      var y = T + (H - T - B) * (1 - f);
      s.appendChild(node('line', { x1: L, x2: W - R, y1: y, y2: y, stroke: '#e5e8ed' }));
      s.appendChild(node('text', { x: L - 6, y: y + 4, 'text-anchor': 'end' }, fmt(max * f)));
    });
    var n = days.length;
    [0, Math.floor((n - 1) / 2), n - 1].filter(function (v, i, a) { return a.indexOf(v) === i; }).forEach(function (i) {
      s.appendChild(node('text', { x: xAt(i, n), y: H - 8, 'text-anchor': 'middle' }, short(days[i].day)));
    });
  }
  function xAt(i, n) { var step = (W - L - R) / n; return L + step * (i + 0.5); }
  function yAt(v, max) { return T + (H - T - B) * (1 - v / max); }

  function volume(box) {
    var days = data.days, s = svg(W, H, box.dataset.chart);
    var max = nice(Math.max.apply(null, days.map(function (d) { return d.created; }).concat([1])));
    frame(s, max, function (v) { return v % 1 === 0 ? String(v) : v.toFixed(1); }, days);
    var step = (W - L - R) / days.length, bw = Math.max(2, step * 0.7);
    days.forEach(function (d, i) {
      var y = H - B;
      ['approved', 'rejected', 'expired', 'other'].forEach(function (k) {
        if (!d[k]) return;
        var h = (H - T - B) * d[k] / max;
        y -= h;
        var r = node('rect', { x: xAt(i, days.length) - bw / 2, y: y, width: bw, height: h, fill: COLORS[k] });
        r.appendChild(node('title', {}, d.day + ': ' + d[k] + ' ' + k));
        s.appendChild(r);
      });
    });
    box.appendChild(s);
    box.appendChild(legend([['Approved', COLORS.approved], ['Rejected', COLORS.rejected], ['Expired', COLORS.expired], ['Pending or cancelled', COLORS.other]]));
    box.appendChild(table(['Day', 'Requests', 'Approved', 'Rejected', 'Expired', 'Other'],
      days.map(function (d) { return [d.day, d.created, d.approved, d.rejected, d.expired, d.other]; })));
  }

  function lines(box, series, max, fmt) {
    var days = data.days, s = svg(W, H, box.dataset.chart);
    frame(s, max, fmt, days);
    series.forEach(function (ser) {
      var path = '', pen = false;
      days.forEach(function (d, i) {
        var v = ser.value(d);
        if (v === null || v === undefined) { pen = false; return; }
        var x = xAt(i, days.length), y = yAt(Math.min(v, max), max);
        path += (pen ? 'L' : 'M') + x.toFixed(1) + ' ' + y.toFixed(1) + ' ';
        pen = true;
        var c = node('circle', { cx: x, cy: y, r: 3, fill: ser.color });
        c.appendChild(node('title', {}, d.day + ': ' + ser.name + ' ' + fmt(v)));
        s.appendChild(c);
      });
      if (path) s.appendChild(node('path', { d: path, fill: 'none', stroke: ser.color, 'stroke-width': 2 }));
    });
    box.appendChild(s);
    box.appendChild(legend(series.map(function (x) { return [x.name, x.color]; })));
  }

  function rate(d) { var n = d.approved + d.rejected; return n ? 100 * d.approved / n : null; }

  function approval(box) {
    lines(box, [{ name: 'Approval rate', color: COLORS.approved, value: rate }], 100,
      function (v) { return Math.round(v) + '%'; });
    box.appendChild(table(['Day', 'Approved', 'Rejected', 'Approval rate'], data.days.map(function (d) {
      var r = rate(d); return [d.day, d.approved, d.rejected, r === null ? '–' : Math.round(r) + '%'];
    })));
  }

  function latency(box) {
    var max = nice(Math.max.apply(null, data.days.map(function (d) { return d.p99 || d.p90 || d.p50 || 0; }).concat([1000])));
    lines(box, [
      { name: 'Median (p50)', color: COLORS.p50, value: function (d) { return d.p50; } },
      { name: 'p90', color: COLORS.p90, value: function (d) { return d.p90; } },
      { name: 'p99', color: COLORS.p99, value: function (d) { return d.p99; } }], max, duration);
    box.appendChild(table(['Day', 'p50', 'p90', 'p99'], data.days.map(function (d) {
      return [d.day, duration(d.p50), duration(d.p90), duration(d.p99)];
    })));
  }

  function bars(box, rows) {
    if (!rows.length) { box.appendChild(Interlock.el('p', { class: 'muted', text: 'No requests in this period.' })); return; }
    var rowH = 34, labelW = 230, w = W, h = rows.length * rowH + 8, s = svg(w, h, box.dataset.chart);
    var max = Math.max.apply(null, rows.map(function (r) { return r.total; }));
    rows.forEach(function (r, i) {
      var y = 4 + i * rowH, decided = r.approved + r.rejected;
      var label = r.label.length > 32 ? r.label.slice(0, 31) + '…' : r.label;
      s.appendChild(node('text', { x: 0, y: y + 20 }, label));
      var full = (w - labelW - 190) * r.total / max;
      var ok = decided ? full * r.approved / r.total : 0;
      var no = decided ? full * r.rejected / r.total : 0;
      s.appendChild(node('rect', { x: labelW, y: y + 6, width: Math.max(2, full), height: 20, fill: '#cfd8e6' }));
      if (ok) s.appendChild(node('rect', { x: labelW, y: y + 6, width: ok, height: 20, fill: COLORS.approved }));
      if (no) s.appendChild(node('rect', { x: labelW + ok, y: y + 6, width: no, height: 20, fill: COLORS.rejected }));
      var text = r.total + (decided ? ' · ' + Math.round(100 * r.approved / decided) + '% approved' : '') +
        (r.p50 !== null ? ' · ' + duration(r.p50) : '');
      s.appendChild(node('text', { x: labelW + Math.max(2, full) + 8, y: y + 20 }, text));
      var t = node('title', {}, r.label + ': ' + text);
      s.lastChild.appendChild(t);
    });
    box.appendChild(s);
    box.appendChild(legend([['Approved', COLORS.approved], ['Rejected', COLORS.rejected], ['Pending, expired or cancelled', '#cfd8e6']]));
    box.appendChild(table(['Name', 'Requests', 'Approved', 'Rejected', 'Pending', 'Median response'],
      rows.map(function (r) { return [r.label, r.total, r.approved, r.rejected, r.pending, duration(r.p50)]; })));
  }

  var draw = { volume: volume, rate: approval, latency: latency,
    agents: function (b) { bars(b, data.agents); }, actions: function (b) { bars(b, data.actions); } };
  document.querySelectorAll('[data-chart]').forEach(function (box) { draw[box.dataset.chart](box); });
})();
