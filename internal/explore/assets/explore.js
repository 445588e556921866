// /explore: the registry's figures for people who do not write GraphQL. Plain
// JavaScript over the public API; the view and its choices live in the URL's
// fragment (#/stats?agency=...), so every view can be shared as a link.
// Everything it writes is Vietnamese: the API's codes are named from vi.json
// (its messages are English), numbers and dates are written the Vietnamese way.
(function () {
  'use strict';

  var API = '/graphql';
  var KEY = 'registry-api-key'; // session storage only: gone with the tab
  var SITE = 'Khám phá số liệu';
  // Early, on time and late: each at least 3:1 on white (WCAG 1.4.11), and
  // told apart by colour-blind readers (Okabe-Ito).
  var COLOURS = { early: '#0072b2', onTime: '#009e73', late: '#d55e00' };
  var main = document.getElementById('main');
  var status = document.getElementById('status');
  var VI; // vi.json: Vietnamese for the API's codes, loaded before the first view

  // ---------- helpers ----------

  // el builds an element: el('a', {href: '#'}, 'text', child).
  function el(tag, attrs) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === 'text') node.textContent = v;
      else if (k.slice(0, 2) === 'on') node.addEventListener(k.slice(2), v);
      else node.setAttribute(k, v === true ? '' : v);
    });
    for (var i = 2; i < arguments.length; i++) append(node, arguments[i]);
    return node;
  }
  function append(node, c) {
    if (c === null || c === undefined || c === false) return;
    if (Array.isArray(c)) { c.forEach(function (x) { append(node, x); }); return; }
    node.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  function capital(s) { return s.charAt(0).toUpperCase() + s.slice(1); }
  function pad(n) { return (n < 10 ? '0' : '') + n; }

  var numberFmt = new Intl.NumberFormat('vi-VN');
  // signDisplay 'negative': a difference rounded to nothing reads 0,0, not -0,0.
  var shareFmt = [1, 2].map(function (d) { return new Intl.NumberFormat('vi-VN', { minimumFractionDigits: d, maximumFractionDigits: d, signDisplay: 'negative' }); });
  function num(n) { return n === null || n === undefined ? '—' : numberFmt.format(n); }
  // pct writes a share as bulletins print it, 0.838 as "83,8 %"; fine
  // gives two decimals, to show what a printed rate rounds or truncates.
  function pct(r, fine) { return r === null || r === undefined ? '—' : shareFmt[fine ? 1 : 0].format(r * 100) + ' %'; }
  function date(d) {
    if (!d) return '—';
    var p = d.slice(0, 10).split('-');
    return p[2] + '/' + p[1] + '/' + p[0];
  }
  // clockParts: a moment's date and time in Vietnam, digits only.
  var clock = new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  function clockParts(d) {
    var parts = {};
    clock.formatToParts(d).forEach(function (x) { parts[x.type] = x.value; });
    return parts;
  }
  function dateTime(t) { var p = clockParts(new Date(t)); return p.day + '/' + p.month + '/' + p.year + ' ' + p.hour + ':' + p.minute; }
  // today is the date in Vietnam, YYYY-MM-DD.
  function today() { var p = clockParts(new Date()); return p.year + '-' + p.month + '-' + p.day; }
  function addMonths(ym, n) {
    var m = +ym.slice(0, 4) * 12 + (+ym.slice(5, 7) - 1) + n;
    return Math.floor(m / 12) + '-' + pad(m % 12 + 1);
  }

  var ROMAN = ['I', 'II', 'III', 'IV'];
  // periodLabel names a period code as bulletins do: 2021-03 "tháng 3/2021",
  // 2021-Q1 "quý I/2021", 2022-H1 "6 tháng đầu năm 2022", 2022 "năm 2022".
  function periodLabel(code) {
    var m;
    if (!code) return '';
    if ((m = /^(\d{4})-(\d{2})$/.exec(code))) return 'tháng ' + (+m[2]) + '/' + m[1];
    if ((m = /^(\d{4})-Q([1-4])$/.exec(code))) return 'quý ' + ROMAN[m[2] - 1] + '/' + m[1];
    if ((m = /^(\d{4})-H([12])$/.exec(code))) return '6 tháng ' + (m[2] === '1' ? 'đầu' : 'cuối') + ' năm ' + m[1];
    if ((m = /^(\d{4})-9M$/.exec(code))) return '9 tháng đầu năm ' + m[1];
    if ((m = /^(\d{4})$/.exec(code))) return 'năm ' + m[1];
    if ((m = /^(\d{4})-(\d{2})(?:\/|\.\.)(\d{4})-(\d{2})$/.exec(code))) return 'từ tháng ' + (+m[2]) + '/' + m[1] + ' đến tháng ' + (+m[4]) + '/' + m[3];
    return code;
  }
  // periodShort labels the chart's axis and the table's rows: 03/2021.
  function periodShort(code) {
    var m = /^(\d{4})-(\d{2})$/.exec(code);
    return m ? m[2] + '/' + m[1] : capital(periodLabel(code));
  }

  // gql sends a query as the anonymous reader, or with the key the user gave.
  function gql(query, variables) {
    var headers = { 'Content-Type': 'application/json', 'Accept': 'application/json' };
    var key = sessionStorage.getItem(KEY);
    if (key) headers.Authorization = 'Bearer ' + key;
    return fetch(API, { method: 'POST', headers: headers, body: JSON.stringify({ query: query, variables: variables || {} }) })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        if (body.errors && body.errors.length) {
          var e = new Error(body.errors.map(function (x) { return x.message + (x.extensions && x.extensions.code ? ' (' + x.extensions.code + ')' : ''); }).join('; '));
          e.data = body.data;
          throw e;
        }
        return body.data;
      });
  }

  // showQuery tells where a figure comes from: the document, its variables,
  // and a link that opens them in the playground.
  function showQuery(query, variables) {
    var vars = JSON.stringify(variables || {}, null, 2);
    var href = '/?query=' + encodeURIComponent(query) + '&variables=' + encodeURIComponent(vars);
    return el('details', { class: 'query' },
      el('summary', { text: 'Xem truy vấn' }),
      el('pre', { text: query }),
      el('pre', { text: vars }),
      el('a', { href: href, text: 'Mở truy vấn này trong GraphiQL' }));
  }

  // failure: the API's own message is English, and said to be.
  function failure(err) {
    return el('p', { class: 'error' }, 'Không đọc được dữ liệu. Máy chủ trả lời (tiếng Anh): ', el('span', { lang: 'en', text: err.message }));
  }

  // invalid says beside a field what is wrong with it, and puts the focus there.
  function invalid(input, message) {
    var id = input.name + '-error', p = document.getElementById(id);
    if (!p) {
      p = el('p', { class: 'error', id: id });
      input.closest('label, fieldset').after(p);
    }
    p.textContent = message;
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', id);
    input.focus();
    announce(message);
  }

  // dateInput takes a date as dd/mm/yyyy whatever the browser's language
  // (a date input would show the browser's format); readDate turns it into
  // yyyy-mm-dd, or null when it is no date.
  function dateInput(name, iso) {
    return el('input', { name: name, value: iso ? date(iso) : '', inputmode: 'numeric', autocomplete: 'off', size: 12 });
  }
  function readDate(s) {
    var m = /^\s*(\d{1,2})\/(\d{1,2})\/(\d{4})\s*$/.exec(s || '');
    if (!m) return null;
    var iso = m[3] + '-' + pad(+m[2]) + '-' + pad(+m[1]);
    var d = new Date(iso + 'T00:00:00Z');
    return !isNaN(d) && d.toISOString().slice(0, 10) === iso ? iso : null;
  }

  // agencyList: the agencies, read once.
  var AGENCIES = 'query Agencies { agencies(first: 100) { edges { node { code name } } } }';
  var agencies = null;
  function agencyList() {
    if (!agencies) {
      agencies = gql(AGENCIES)
        .then(function (a) { return a.agencies.edges.map(function (e) { return e.node; }); });
      agencies.catch(function () { agencies = null; });
    }
    return agencies;
  }

  // ---------- the page: routes, focus, announcements, charts ----------

  function route() {
    var h = location.hash;
    if (h && h.slice(0, 2) !== '#/') return null; // an anchor in the page, not a view
    h = h.slice(2);
    var q = h.indexOf('?');
    return { view: (q < 0 ? h : h.slice(0, q)) || 'stats', params: new URLSearchParams(q < 0 ? '' : h.slice(q + 1)) };
  }
  function go(view, params) {
    var hash = '#/' + view + (params && params.toString() ? '?' + params.toString() : '');
    if (hash === location.hash) render(); else location.hash = hash;
  }

  var views = { stats: statsView, reports: reportsView, directives: directivesView, directive: directiveView, deadlaw: deadLawView, dossier: dossierView };
  var shown = null;      // the route on screen: {view, hash}
  var lastList = null;   // the last list of directives shown, where a directive's back link leads
  var renders = 0;       // a slow earlier view must not replace a later one

  // render shows the route's view. Each view resolves to {title, heading,
  // results, announce, nodes}: what the tab is called, where the focus goes
  // when the view is new or when its results change, and what is said.
  function render(opts) {
    var r = route();
    if (!r) return;
    var from = shown, seq = ++renders;
    shown = { view: views[r.view] ? r.view : 'stats', hash: location.hash };
    markNav(shown.view);
    main.setAttribute('aria-busy', 'true');
    stopCharts();
    main.replaceChildren(el('p', { text: 'Đang tải…' }));
    views[shown.view](r.params, from).then(null, function (err) {
      var p = failure(err);
      return { title: 'Lỗi', heading: p, nodes: [p], announce: p.textContent };
    }).then(function (v) { if (seq === renders) show(v, from, opts || {}); });
  }

  function show(v, from, opts) {
    main.replaceChildren.apply(main, [v.nodes].flat(Infinity).filter(Boolean));
    main.dataset.route = shown.hash;
    main.removeAttribute('aria-busy');
    if (shown.view === 'directives' || shown.view === 'deadlaw') lastList = shown.hash;
    document.title = v.title + ' — ' + SITE;
    announce(v.announce || v.title);
    drawCharts();
    if (opts.keepFocus) return;
    var target = focusTarget(v, from);
    if (!target.matches('a[href], button, input, select, textarea, [tabindex]')) target.setAttribute('tabindex', '-1');
    target.focus();
  }

  // focusTarget: after a search, filter or lookup within a view, its
  // results; back on a list, the result just left; otherwise the heading.
  function focusTarget(v, from) {
    if (from && from.view === shown.view && v.results) return v.results;
    var left = from && main.querySelector('a.result[href="' + CSS.escape(from.hash) + '"]');
    return left || v.heading;
  }

  function announce(text) {
    status.textContent = '';
    // Set after a pause, so that a repeated text is read again.
    setTimeout(function () { status.textContent = text; }, 100);
  }

  function markNav(view) {
    var section = view === 'directive' || view === 'deadlaw' ? 'directives' : view;
    document.querySelectorAll('header nav a').forEach(function (a) {
      if (a.getAttribute('href') === '#/' + section) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    });
  }

  var charts = []; // the view's charts: drawn once in the page, resized with the window
  var chartIds = 0;
  function stopCharts() {
    charts.forEach(function (c) { if (c.plot) c.plot.destroy(); });
    charts = [];
  }
  function drawCharts() { charts.forEach(function (c) { c.plot = c.draw(c.box.clientWidth); }); }
  var resizing = null;
  window.addEventListener('resize', function () {
    clearTimeout(resizing);
    resizing = setTimeout(function () {
      charts.forEach(function (c) { if (c.plot) c.plot.setSize({ width: c.box.clientWidth, height: c.height }); });
    }, 100);
  });

  // ---------- statistics ----------

  var STATS = 'query Stats($f: DossierStatsFilter!, $g: [StatDimension!], $d: RateDefinition) {\n' +
    '  dossierStats(filter: $f, groupBy: $g) {\n' +
    '    asOf suppressed\n' +
    '    total { received { new } resolved { total } rates(definition: $d) { early onTime late } }\n' +
    '    groups {\n' +
    '      period { label } agencyCode agency { name }\n' +
    '      received { new carriedOver } resolved { total early onTime late }\n' +
    '      inProgress { total overdue }\n' +
    '      rates(definition: $d) { early onTime late }\n' +
    '    }\n' +
    '  }\n' +
    '  statDefinitions { name definition numerator denominator description }\n' +
    '}';
  var RECEIPT_MONTHS = 'query ReceiptMonths($f: DossierStatsFilter!) {\n' +
    '  dossierStats(filter: $f, groupBy: [MONTH]) { groups { period { label } received { new } } }\n' +
    '}';
  var SPANS = { MONTH: 'Tháng', QUARTER: 'Quý', YEAR: 'Năm' };
  var CHANNELS = { '': 'Mọi kênh', IN_PERSON: 'Trực tiếp', ONLINE: 'Trực tuyến', POSTAL: 'Bưu chính' };
  var MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;
  var DEFINITION_NAMES = { PROVINCIAL: 'Của tỉnh, như bản tin in', NATIONAL_766: 'Theo Quyết định 766/QĐ-TTg' };
  // The parts of what was resolved, bottom to top of the chart's bars.
  var PARTS = {
    PROVINCIAL: [['early', 'trước hạn'], ['onTime', 'đúng hạn'], ['late', 'quá hạn']],
    NATIONAL_766: [['onTime', 'đúng hạn (gồm trước hạn)'], ['late', 'quá hạn']]
  };

  function statsView(p) {
    return agencyList().then(function (list) {
      var s = statsChoice(p, list);
      return receiptMonths(statsFilter(s)).then(function (data) {
        s.defaulted = !s.from || !s.to;
        if (s.defaulted) {
          var span = defaultSpan(data.months);
          s.from = span.from;
          s.to = span.to;
        }
        return statsFigures(s, list).then(function (fig) {
          var heading = el('h2', { text: 'Thống kê giải quyết hồ sơ' });
          return { title: 'Thống kê giải quyết hồ sơ', heading: heading, results: fig.summary, announce: fig.summary.textContent,
            nodes: [heading, statsForm(list, s, yearRange(data.years, s)), fig.nodes] };
        });
      });
    });
  }

  function statsChoice(p, list) {
    var chosen = p.getAll('agency');
    if (!chosen.length && list.length) chosen = [list[0].code];
    return {
      agencies: chosen, from: MONTH.test(p.get('from')) ? p.get('from') : null, to: MONTH.test(p.get('to')) ? p.get('to') : null,
      span: SPANS[p.get('span')] ? p.get('span') : 'MONTH', definition: PARTS[p.get('definition')] ? p.get('definition') : 'PROVINCIAL',
      channel: CHANNELS[p.get('channel')] !== undefined ? p.get('channel') || '' : '',
      procedures: (p.get('procedure') || '').split(',').filter(Boolean), fields: (p.get('field') || '').split(',').filter(Boolean)
    };
  }
  function statsFilter(s) {
    var f = {};
    if (s.agencies.length) f.agencyCodes = s.agencies;
    if (s.procedures.length) f.procedureCodes = s.procedures;
    if (s.fields.length) f.fields = s.fields;
    if (s.channel) f.channels = [s.channel];
    return f;
  }
  function statsParams(s, change) {
    var o = Object.assign({}, s, change || {}), params = new URLSearchParams();
    o.agencies.forEach(function (a) { params.append('agency', a); });
    params.set('from', o.from);
    params.set('to', o.to);
    params.set('span', o.span);
    if (o.channel) params.set('channel', o.channel);
    if (o.procedures.length) params.set('procedure', o.procedures.join(','));
    if (o.fields.length) params.set('field', o.fields.join(','));
    params.set('definition', o.definition);
    return params;
  }

  // receiptMonths finds the years with receipts for a selection (a query
  // spans at most ten years: eight of them reach back to the 1940s), then
  // the months with receipts in the last two of those years.
  var receipts = {};
  function receiptMonths(base) {
    var key = JSON.stringify(base);
    if (!receipts[key]) {
      receipts[key] = receiptYears(base).then(function (years) {
        if (!years.length) return { years: years, months: [] };
        var last = years[years.length - 1], first = Math.max(years[0], last - 1);
        return gql(RECEIPT_MONTHS, { f: Object.assign({ from: first + '-01', to: last + '-12' }, base) }).then(function (d) {
          return { years: years, months: d.dossierStats.groups.filter(function (g) { return g.received.new > 0; }).map(function (g) { return g.period.label; }) };
        });
      });
      receipts[key].catch(function () { delete receipts[key]; });
    }
    return receipts[key];
  }
  function receiptYears(base) {
    var now = +today().slice(0, 4), decls = [], fields = [], vars = {};
    for (var i = 0; i < 8; i++) {
      decls.push('$w' + i + ': DossierStatsFilter!');
      fields.push('  w' + i + ': dossierStats(filter: $w' + i + ', groupBy: [YEAR]) { groups { period { label } received { new } } }');
      vars['w' + i] = Object.assign({ from: (now - 10 * i - 9) + '-01', to: (now - 10 * i) + '-12' }, base);
    }
    return gql('query ReceiptYears(' + decls.join(', ') + ') {\n' + fields.join('\n') + '\n}', vars).then(function (d) {
      var years = [];
      Object.keys(d).forEach(function (k) {
        d[k].groups.forEach(function (g) { if (g.received.new > 0) years.push(+g.period.label); });
      });
      return years.sort(function (a, b) { return a - b; });
    });
  }
  // defaultSpan: from the first to the last month with receipts, at most
  // the last twelve months; this month when there are none.
  function defaultSpan(months) {
    if (!months.length) { var m = today().slice(0, 7); return { from: m, to: m }; }
    var to = months[months.length - 1], earliest = addMonths(to, -11);
    return { from: months.filter(function (x) { return x >= earliest; })[0], to: to };
  }
  function yearRange(years, s) {
    var all = years.concat([+s.from.slice(0, 4), +s.to.slice(0, 4)]);
    var out = [];
    for (var y = Math.min.apply(null, all); y <= Math.max.apply(null, all); y++) out.push(y);
    return out;
  }

  function statsForm(list, s, years) {
    var form = el('form', { class: 'filters', 'aria-label': 'Chọn số liệu', novalidate: true },
      el('label', { class: 'wide' }, 'Cơ quan (giữ Ctrl để chọn nhiều)',
        el('select', { name: 'agency', multiple: true, size: Math.min(6, list.length) },
          list.map(function (a) { return el('option', { value: a.code, selected: s.agencies.indexOf(a.code) >= 0, text: a.name }); }))),
      monthPicker('from', 'Từ tháng', s.from, years),
      monthPicker('to', 'Đến tháng', s.to, years),
      el('label', {}, 'Theo', options('span', SPANS, s.span)),
      el('label', {}, 'Kênh', options('channel', CHANNELS, s.channel)),
      el('label', {}, 'Mã thủ tục (cách nhau bởi dấu phẩy)', el('input', { name: 'procedure', value: s.procedures.join(',') })),
      el('label', {}, 'Lĩnh vực (cách nhau bởi dấu phẩy)', el('input', { name: 'field', value: s.fields.join(',') })),
      el('fieldset', { class: 'wide' }, el('legend', { text: 'Cách tính tỷ lệ' }),
        Object.keys(PARTS).map(function (k) {
          return el('label', { class: 'choice' }, el('input', { type: 'radio', name: 'definition', value: k, checked: k === s.definition }), DEFINITION_NAMES[k]);
        })),
      el('button', { type: 'submit', text: 'Xem' }));
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var fd = new FormData(form), from = fd.get('from-year') + '-' + fd.get('from-month'), to = fd.get('to-year') + '-' + fd.get('to-month');
      if (from > to) { invalid(form.elements['to-month'], 'Tháng kết thúc phải sau hoặc trùng tháng bắt đầu.'); return; }
      go('stats', statsParams(s, {
        agencies: fd.getAll('agency'), from: from, to: to, span: fd.get('span'), channel: fd.get('channel'), definition: fd.get('definition'),
        procedures: fd.get('procedure').split(',').map(function (x) { return x.trim(); }).filter(Boolean),
        fields: fd.get('field').split(',').map(function (x) { return x.trim(); }).filter(Boolean)
      }));
    });
    return form;
  }
  function options(name, labels, value) {
    return el('select', { name: name }, Object.keys(labels).map(function (k) { return el('option', { value: k, selected: k === value, text: labels[k] }); }));
  }
  // monthPicker: a month as two lists, month and year, named in Vietnamese
  // whatever the browser's language (a month input would follow it).
  function monthPicker(name, legend, value, years) {
    var months = [];
    for (var m = 1; m <= 12; m++) months.push(m);
    return el('fieldset', { class: 'month' }, el('legend', { text: legend }),
      el('label', {}, 'Tháng', el('select', { name: name + '-month' }, months.map(function (m) {
        return el('option', { value: pad(m), selected: pad(m) === value.slice(5, 7), text: 'Tháng ' + m });
      }))),
      el('label', {}, 'Năm', el('select', { name: name + '-year' }, years.map(function (y) {
        return el('option', { value: String(y), selected: String(y) === value.slice(0, 4), text: String(y) });
      }))));
  }

  function statsFigures(s, list) {
    var variables = { f: Object.assign({ from: s.from, to: s.to }, statsFilter(s)), g: [s.span, 'AGENCY'], d: s.definition };
    return gql(STATS, variables).then(function (data) {
      var st = data.dossierStats, rows = st.groups, names = {};
      list.forEach(function (a) { names[a.code] = a.name; });
      var summary = el('p', { id: 'stats-summary', class: 'summary', text: statsSentence(s, st.total, rows.length) });
      var nodes = [summary, definitionCard(s, data.statDefinitions)];
      if (rows.length) nodes.push(statsCharts(rows, names, s.definition), statsTable(rows, names, s, st.asOf));
      if (st.suppressed) nodes.push(el('p', { class: 'note', text: num(st.suppressed) + ' nhóm bị ẩn với người đọc ẩn danh: nhóm có ít hồ sơ (có thể nhận diện cá nhân) và nhóm có thể dùng để suy ra chúng bằng phép trừ; tổng vẫn tính các nhóm này.' }));
      nodes.push(csvLink(s), allDefinitions(data.statDefinitions, s.definition), showQuery(STATS, variables));
      return { summary: summary, nodes: nodes };
    });
  }

  function statsSentence(s, total, groups) {
    var span = 'Từ ' + periodLabel(s.from) + ' đến ' + periodLabel(s.to) + ', ' + num(s.agencies.length || 0) + ' cơ quan' +
      (s.defaulted ? ' (mặc định: các tháng có hồ sơ tiếp nhận, nhiều nhất 12 tháng gần nhất)' : '');
    if (!groups) return span + ': không có hồ sơ nào khớp với lựa chọn này.';
    var resolved = total.resolved.total;
    return span + ': nhận mới ' + num(total.received.new) + ' hồ sơ; đã giải quyết ' + num(resolved) +
      (resolved ? ', trong đó ' + PARTS[s.definition].map(function (pt) { return pt[1] + ' ' + pct(total.rates[pt[0]]); }).join(', ') : '') + '.';
  }

  // definitionCard says how the rates shown are computed, and offers the other way.
  function definitionCard(s, defs) {
    var other = s.definition === 'PROVINCIAL' ? 'NATIONAL_766' : 'PROVINCIAL';
    return el('section', { class: 'card', id: 'definition', 'aria-labelledby': 'definition-title' },
      el('h3', { id: 'definition-title', text: 'Cách tính tỷ lệ' }),
      el('p', { text: VI.rateDefinitions[s.definition] + '.' }),
      el('ul', {}, defs.filter(function (d) { return d.definition === s.definition && /^rates\.(early|onTime|late)$/.test(d.name); }).map(definitionItem)),
      el('p', {}, el('a', { href: '#/stats?' + statsParams(s, { definition: other }).toString(), id: 'definition-switch', text: 'Xem theo cách tính khác: ' + VI.rateDefinitions[other].charAt(0).toLowerCase() + VI.rateDefinitions[other].slice(1) })));
  }
  function definitionItem(d) {
    var vi = VI.definitions[d.name + (d.definition ? '/' + d.definition : '')] || { label: d.name };
    return el('li', { 'data-name': d.name }, el('strong', { text: vi.label }),
      vi.numerator ? ' = ' + vi.numerator + (vi.denominator ? ' / (' + vi.denominator + ')' : '') : '',
      vi.description ? el('span', { class: 'note', text: ' — ' + vi.description }) : null);
  }
  function allDefinitions(defs, definition) {
    return el('details', { class: 'definitions' }, el('summary', { text: 'Cách tính mọi chỉ số' }),
      el('ul', {}, defs.filter(function (d) { return !d.definition || d.definition === definition; }).map(definitionItem)));
  }

  function csvLink(s) {
    var csv = new URLSearchParams({ from: s.from, to: s.to, groupBy: s.span.toLowerCase() + ',agency', definition: s.definition });
    s.agencies.forEach(function (a) { csv.append('agency', a); });
    if (s.channel) csv.set('channel', s.channel);
    if (s.procedures.length) csv.set('procedure', s.procedures.join(','));
    if (s.fields.length) csv.set('field', s.fields.join(','));
    return el('p', {}, el('a', { href: '/stats.csv?' + csv.toString(), download: '', text: 'Tải tệp CSV đúng số liệu này (/stats.csv)' }));
  }

  // statsCharts: one chart per agency, its parts stacked per period as
  // bulletins print them (83,8 % trước hạn + 16,1 % đúng hạn + 0,1 % quá hạn).
  function statsCharts(rows, names, definition) {
    var byAgency = {}, order = [];
    rows.forEach(function (r) {
      if (!byAgency[r.agencyCode]) { byAgency[r.agencyCode] = []; order.push(r.agencyCode); }
      byAgency[r.agencyCode].push(r);
    });
    return el('div', { id: 'stats-charts' }, order.map(function (code) {
      return stackedChart((byAgency[code][0].agency && byAgency[code][0].agency.name) || names[code] || code, byAgency[code], definition);
    }));
  }

  function stackedChart(title, rows, definition) {
    var parts = PARTS[definition], labels = rows.map(function (r) { return periodShort(r.period.label); });
    // Bars rise from zero: running sums drawn largest first leave each part
    // its own segment, the first part at the bottom.
    var sums = parts.map(function (_, i) {
      return rows.map(function (r) {
        if (r.rates.onTime === null) return null;
        return parts.slice(0, i + 1).reduce(function (t, pt) { return t + (r.rates[pt[0]] || 0) * 100; }, 0);
      });
    }).reverse();
    var last = rows.filter(function (r) { return r.rates.onTime !== null; }).pop();
    var said = last ? capital(periodLabel(last.period.label)) + ': ' + parts.map(function (pt) { return pt[1] + ' ' + pct(last.rates[pt[0]]); }).join(', ') + '.'
      : 'Chưa có hồ sơ nào được giải quyết.';
    var id = 'chart-' + (++chartIds), height = 260;
    var plot = el('div', { class: 'plot', role: 'img', 'aria-labelledby': id });
    charts.push({ box: plot, height: height, draw: function (width) {
      /* global uPlot */
      return new uPlot(chartOptions(width, height, labels, parts), [labels.map(function (_, i) { return i; })].concat(sums), plot);
    } });
    return el('figure', { class: 'chart' },
      el('figcaption', { id: id }, el('strong', { text: title }), ' — tỷ lệ ' + parts.map(function (pt) { return pt[1]; }).join(', ') + ' theo kỳ, cộng lại 100 %. ' + said),
      el('ul', { class: 'legend', 'aria-hidden': 'true' }, parts.map(function (pt) {
        var key = el('span', { class: 'legend-key' });
        key.style.background = COLOURS[pt[0]];
        return el('li', {}, key, pt[1]);
      })),
      plot);
  }

  function chartOptions(width, height, labels, parts) {
    var bars = uPlot.paths.bars({ size: [0.7, 48] });
    return {
      width: width, height: height, padding: [14, 10, 0, 0],
      legend: { show: false }, cursor: { show: false },
      scales: { x: { time: false, range: [-0.5, labels.length - 0.5] }, y: { range: [0, 100] } },
      series: [{}].concat(parts.slice().reverse().map(function (pt) {
        return { label: pt[1], fill: COLOURS[pt[0]], stroke: '#ffffff', width: 1, paths: bars, points: { show: false } };
      })),
      axes: [
        { space: 56, incrs: [1, 2, 3, 4, 6, 12, 24], values: function (u, ticks) { return ticks.map(function (t) { return labels[t] || ''; }); } },
        { size: 56, incrs: [10, 20, 25, 50], values: function (u, ticks) { return ticks.map(function (t) { return t + ' %'; }); } }
      ]
    };
  }

  function statsTable(rows, names, s, asOf) {
    var heads = ['Kỳ', 'Cơ quan', 'Nhận mới', 'Từ kỳ trước', 'Đã giải quyết', 'Trước hạn', 'Đúng hạn', 'Quá hạn',
      'Tỷ lệ trước hạn', 'Tỷ lệ đúng hạn', 'Tỷ lệ quá hạn', 'Đang giải quyết', 'Đang giải quyết quá hạn'];
    var note = 'Tỷ lệ: ' + VI.rateDefinitions[s.definition].charAt(0).toLowerCase() + VI.rateDefinitions[s.definition].slice(1) +
      '. Hồ sơ đang giải quyết tính đến cuối kỳ hoặc ngày ' + date(asOf) + '.';
    return [el('p', { class: 'note', id: 'stats-note', text: note }), el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'stats-caption' },
      el('table', { id: 'stats-table', 'aria-describedby': 'stats-note' },
        el('caption', { id: 'stats-caption', text: 'Số liệu theo kỳ và cơ quan' }),
        el('thead', {}, el('tr', {}, heads.map(function (t, i) { return el('th', { scope: 'col', class: i > 1 ? 'num' : null, text: t }); }))),
        el('tbody', {}, rows.map(function (r) {
          return el('tr', {},
            el('th', { scope: 'row', class: 'period', text: periodShort(r.period.label) }),
            el('td', { class: 'agency', text: (r.agency && r.agency.name) || names[r.agencyCode] || r.agencyCode || '' }),
            [r.received.new, r.received.carriedOver, r.resolved.total, r.resolved.early, r.resolved.onTime, r.resolved.late].map(function (n) { return el('td', { class: 'num', text: num(n) }); }),
            ['early', 'onTime', 'late'].map(function (k) { return el('td', { class: 'num', text: pct(r.rates[k]) }); }),
            el('td', { class: 'num', text: num(r.inProgress.total) }), el('td', { class: 'num', text: num(r.inProgress.overdue) }));
        }))))];
  }

  // ---------- published reports ----------

  var REPORTS = 'query Reports {\n' +
    '  reports(first: 50) {\n' +
    '    edges { node {\n' +
    '      id agencyName agency { code name } period periodType\n' +
    '      resolved early onTime late earlyRate onTimeRate lateRate\n' +
    '      findings { code field difference }\n' +
    '      provenance { source excerpt }\n' +
    '    } }\n' +
    '  }\n' +
    '}';
  var RECONCILE = 'query Reconcile($agency: String!, $period: String!) {\n' +
    '  reconciliation(agency: $agency, period: $period) {\n' +
    '    computed { resolved { total early onTime late } }\n' +
    '    comparisons { report { id } figures { measure reported computed difference agrees } }\n' +
    '  }\n' +
    '}';
  var COUNT_OF = { earlyRate: 'early', onTimeRate: 'onTime', lateRate: 'late' };
  var PART_NAMES = [['early', 'trước hạn'], ['onTime', 'đúng hạn'], ['late', 'quá hạn']];

  // finding names a finding in Vietnamese (the API's message is English),
  // with what the record's own figures or fields say of it.
  function finding(f, detail) {
    var field = f.field && VI.fields[f.field];
    return el('p', { class: 'finding', 'data-code': f.code }, el('strong', { text: VI.findings[f.code] || 'Điểm cần lưu ý.' }),
      detail ? ' ' + detail : field ? ' Liên quan đến: ' + field + '.' : '');
  }

  // reportDetail redoes a report finding's arithmetic in words, from the
  // figures as printed.
  function reportDetail(f, r) {
    var parts = PART_NAMES.filter(function (pt) { return r[pt[0]] !== null; });
    var sum = parts.reduce(function (t, pt) { return t + r[pt[0]]; }, 0);
    if (f.code === 'PARTS_DO_NOT_ADD_UP' && r.resolved !== null) {
      return capital(parts.map(function (pt) { return pt[1] + ' ' + num(r[pt[0]]); }).join(' + ')) + ' = ' + num(sum) +
        ', nhưng tổng số đã giải quyết in là ' + num(r.resolved) + ': các phần ' + (sum > r.resolved ? 'vượt tổng ' : 'thiếu so với tổng ') + num(Math.abs(sum - r.resolved)) + '.';
    }
    var count = COUNT_OF[f.field];
    if (!count || r[f.field] === null || r[count] === null || !r.resolved) return null;
    var out = capital(VI.fields[f.field]) + ' in là ' + pct(r[f.field]) + '; ' + num(r[count]) + ' trên ' + num(r.resolved) + ' là ' + pct(r[count] / r.resolved, true);
    if (sum && sum !== r.resolved) out += '; ' + num(r[count]) + ' trên ' + num(sum) + ' (tổng các phần) là ' + pct(r[count] / sum, true);
    return out + '.';
  }

  function reportsView() {
    return gql(REPORTS).then(function (data) {
      var reports = data.reports.edges.map(function (e) { return e.node; });
      return Promise.all(reports.map(function (r) {
        if (!r.agency || !r.period) return Promise.resolve(reportCard(r, null, null));
        var v = { agency: r.agency.code, period: r.period };
        return gql(RECONCILE, v).then(function (d) { return reportCard(r, d.reconciliation, v); }, function (err) { return reportCard(r, null, null, err); });
      })).then(function (cards) {
        var heading = el('h2', { text: 'Báo cáo đã công bố và số liệu tính từ hồ sơ' });
        return { title: 'Báo cáo đã công bố', heading: heading, announce: 'Báo cáo đã công bố: ' + num(reports.length) + ' báo cáo.',
          nodes: [heading,
            el('p', { class: 'note', text: 'Mỗi báo cáo đọc từ bản tin, bên cạnh số liệu tính từ hồ sơ của cùng cơ quan và cùng kỳ; các điểm không khớp được tô đậm.' }),
            cards, showQuery(REPORTS, {})] };
      });
    });
  }

  function reportCard(r, rec, variables, err) {
    var card = el('article', { class: 'card report', id: 'report-' + r.id },
      el('h3', { text: (r.agencyName || 'Không nêu cơ quan') + ' — ' + (r.period ? periodLabel(r.period) : 'không nêu kỳ') }),
      el('blockquote', {}, el('p', { text: '“' + r.provenance.excerpt + '”' }), el('footer', { class: 'note', text: 'Nguồn: ' + r.provenance.source })),
      r.findings.map(function (f) { return finding(f, reportDetail(f, r)); }));
    if (err) card.appendChild(failure(err));
    var cmp = rec && rec.comparisons.filter(function (c) { return c.report.id === r.id; })[0];
    if (cmp) {
      card.appendChild(comparisonTable(cmp));
      var note = partsNote(cmp);
      if (note) card.appendChild(el('p', { class: 'note', text: note }));
      card.appendChild(showQuery(RECONCILE, variables));
    } else if (!err) {
      card.appendChild(el('p', { class: 'note', text: 'Không so sánh được: báo cáo không nêu cơ quan có trong cơ sở dữ liệu, hoặc không nêu kỳ.' }));
    }
    return card;
  }

  function comparisonTable(cmp) {
    return el('div', { class: 'table-wrap' }, el('table', { class: 'comparison' },
      el('caption', { text: 'Đã công bố và tính từ hồ sơ' }),
      el('thead', {}, el('tr', {}, ['Chỉ số', 'Đã công bố', 'Tính từ hồ sơ', 'Chênh lệch'].map(function (t, i) { return el('th', { scope: 'col', class: i ? 'num' : null, text: t }); }))),
      el('tbody', {}, cmp.figures.filter(function (f) { return f.reported !== null; }).map(function (f) {
        var fmt = /Rate$/.test(f.measure) ? pct : num;
        return el('tr', { class: f.agrees === false ? 'disagree' : null },
          el('th', { scope: 'row', text: VI.measures[f.measure] || f.measure }),
          el('td', { class: 'num', text: fmt(f.reported) }), el('td', { class: 'num', text: fmt(f.computed) }),
          el('td', { class: 'num ' + (f.agrees ? 'agree' : 'disagree') }, fmt(f.difference),
            el('span', { class: 'visually-hidden', text: f.agrees ? ' (khớp)' : ' (không khớp)' })));
      }))));
  }

  // partsNote says which of a self-contradicting report's figures the
  // dossiers follow (the API's note, in Vietnamese, from its figures).
  function partsNote(cmp) {
    var fig = {};
    cmp.figures.forEach(function (f) { fig[f.measure] = f; });
    if (!fig.resolved || fig.resolved.reported === null || !fig.early || fig.early.reported === null || !fig.onTime || fig.onTime.reported === null) return null;
    var total = fig.resolved.reported, computed = fig.resolved.computed;
    var parts = fig.early.reported + fig.onTime.reported + (fig.late && fig.late.reported !== null ? fig.late.reported : 0);
    if (parts === total) return null;
    var follows = computed === parts ? 'khớp với tổng các phần' : computed === total ? 'khớp với tổng đã in' : 'không khớp với số nào';
    return 'Tổng số đã giải quyết in trong báo cáo (' + num(total) + ') và tổng các phần (' + num(parts) + ') lệch nhau ' + num(parts - total) +
      '; hồ sơ cho ' + num(computed) + ' hồ sơ đã giải quyết, ' + follows + '.';
  }

  // ---------- directives ----------

  var DIRECTIVES = 'query Directives($f: DirectiveFilter) {\n' +
    '  directives(first: 50, filter: $f) {\n' +
    '    totalCount\n' +
    '    facets { types { value label count } issuers { value label count } years { value label count } }\n' +
    '    edges { node { id symbol { text } typeName issuerAsWritten issuedOn summary } }\n' +
    '  }\n' +
    '}';
  var FACETS = [['type', 'types', 'Loại văn bản'], ['issuer', 'issuers', 'Cơ quan ban hành'], ['year', 'years', 'Năm']];

  function directivesView(p) {
    var f = {};
    if (p.get('q')) f.search = p.get('q');
    if (p.has('type')) f.type = p.get('type');
    if (p.get('issuer')) f.issuerCode = p.get('issuer');
    if (p.get('year')) f.year = parseInt(p.get('year'), 10);
    if (p.get('on')) f.inForceOn = p.get('on');
    return gql(DIRECTIVES, { f: f }).then(function (data) {
      var d = data.directives, heading = el('h2', { text: 'Văn bản' });
      var summary = el('p', { id: 'directive-count', class: 'summary', text: directivesSentence(d, p, f) });
      return { title: 'Văn bản', heading: heading, results: summary, announce: summary.textContent,
        nodes: [heading,
          el('p', {}, el('a', { href: '#/deadlaw', id: 'deadlaw-link', text: 'Thủ tục hành chính có căn cứ pháp lý đã hết hiệu lực →' })),
          directivesForm(p), summary,
          el('section', { class: 'facets', 'aria-label': 'Lọc theo' }, FACETS.map(function (x) { return facet(p, x[0], x[2], d.facets[x[1]]); })),
          el('ul', { class: 'plain', id: 'directive-list' }, d.edges.map(function (e) {
            var n = e.node;
            var said = [n.issuerAsWritten, n.issuedOn ? 'ngày ' + date(n.issuedOn) : null].filter(Boolean).join(', ');
            return el('li', { class: 'card' }, el('a', { class: 'result', href: '#/directive?id=' + encodeURIComponent(n.id) }, el('strong', { text: n.typeName + ' ' + n.symbol.text })),
              said ? ' — ' + said : '', n.summary ? el('p', { text: n.summary }) : null);
          })),
          showQuery(DIRECTIVES, { f: f })] };
    });
  }

  function directivesSentence(d, p, f) {
    var chosen = FACETS.filter(function (x) { return p.has(x[0]); }).map(function (x) {
      var it = d.facets[x[1]].filter(function (v) { return v.value === p.get(x[0]); })[0];
      return x[2].toLowerCase() + ': ' + (it ? it.label : p.get(x[0]));
    });
    if (f.search) chosen.unshift('tìm «' + f.search + '»');
    if (f.inForceOn) chosen.push('còn hiệu lực ngày ' + date(f.inForceOn));
    return num(d.totalCount) + ' văn bản' + (chosen.length ? ' (' + chosen.join('; ') + ')' : '') + '.';
  }

  function directivesForm(p) {
    var form = el('form', { class: 'filters', role: 'search', 'aria-label': 'Tìm văn bản', novalidate: true },
      el('label', {}, 'Tìm (không cần dấu: «mot cua» tìm «một cửa»)', el('input', { type: 'search', name: 'q', value: p.get('q') || '' })),
      el('label', {}, 'Chỉ văn bản còn hiệu lực vào ngày (ngày/tháng/năm)', dateInput('on', p.get('on'))),
      el('button', { type: 'submit', text: 'Tìm' }));
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var params = new URLSearchParams(p), q = form.elements.q.value.trim(), on = form.elements.on.value.trim();
      if (on && !readDate(on)) { invalid(form.elements.on, 'Ngày phải viết dạng ngày/tháng/năm, chẳng hạn 01/08/2024.'); return; }
      if (q) params.set('q', q); else params.delete('q');
      if (on) params.set('on', readDate(on)); else params.delete('on');
      go('directives', params);
    });
    return form;
  }

  // facet: links that add a value to the filter, or take it off; the chosen
  // one is the current link (aria-current), which screen readers announce.
  function facet(p, key, title, items) {
    var id = 'facet-' + key;
    return el('div', {}, el('h3', { id: id, text: title }), el('ul', { 'aria-labelledby': id }, items.map(function (it) {
      var params = new URLSearchParams(p), on = p.has(key) && p.get(key) === it.value;
      if (on) params.delete(key); else params.set(key, it.value);
      return el('li', {}, el('a', { class: 'facet', href: '#/directives?' + params.toString(), 'aria-current': on ? 'true' : null },
        it.label + ' (' + num(it.count) + ')', on ? el('span', { class: 'visually-hidden', text: ', đang chọn; chọn lại để bỏ' }) : null));
    })));
  }

  var DIRECTIVE = 'query Directive($id: ID!) {\n' +
    '  node(id: $id) {\n' +
    '    ... on Directive {\n' +
    '      id symbol { text } typeName issuerCode issuerName issuerAsWritten issuedOn summary effectiveFrom effectiveTo\n' +
    '      validity { on state label since until source statedOn inForceFrom inForceFromIssueDate\n' +
    '        by { kind label symbol article part date directives { id symbol { text } typeName } } }\n' +
    '      effects { kind label symbol article part date dateFromIssue directives { id symbol { text } typeName } }\n' +
    '      affectedBy { kind label symbol article part date dateFromIssue directives { id symbol { text } typeName } }\n' +
    '      signer { position name }\n' +
    '      findings { code field }\n' +
    '      relations { kind label symbol excerpt directives { id symbol { text } typeName } }\n' +
    '      citedBy(first: 50) { totalCount edges { node { code name } } }\n' +
    '      provenance { source excerpt recorded }\n' +
    '    }\n' +
    '  }\n' +
    '}';

  // directiveDetail: what the record itself shows of a finding.
  function directiveDetail(f, d) {
    if (f.code === 'ISSUER_DISAGREES_WITH_SYMBOL' && d.issuerAsWritten && d.issuerCode) {
      return 'Bài ghi «' + d.issuerAsWritten + '»; số, ký hiệu ' + d.symbol.text + ' ghi ' + d.issuerCode + '.';
    }
    return null;
  }

  function directiveView(p) {
    var v = { id: p.get('id') || '' };
    return gql(DIRECTIVE, v).then(function (data) {
      var d = data.node, back = el('p', {}, el('a', { class: 'back', href: lastList || '#/directives', text: '← Danh sách' }));
      if (!d) { var none = el('h2', { text: 'Không có văn bản này' }); return { title: 'Không có văn bản này', heading: none, nodes: [back, none] }; }
      var title = d.typeName + ' ' + d.symbol.text, heading = el('h2', { text: title });
      return { title: title, heading: heading, announce: title + '. ' + d.validity.label + '.', nodes: [back, heading,
        el('dl', {},
          el('dt', { text: 'Cơ quan ban hành' }), el('dd', { text: (d.issuerAsWritten || d.issuerName || d.issuerCode) }),
          el('dt', { text: 'Ngày ban hành' }), el('dd', { text: date(d.issuedOn) }),
          d.signer && d.signer.name ? [el('dt', { text: 'Người ký' }), el('dd', { text: (d.signer.position || '') + ' ' + d.signer.name })] : null,
          d.summary ? [el('dt', { text: 'Trích yếu' }), el('dd', { text: d.summary })] : null),
        d.findings.map(function (f) { return finding(f, directiveDetail(f, d)); }),
        validityCard(d.validity),
        el('h3', { text: 'Diễn biến hiệu lực' }),
        effectsTimeline(d),
        el('h3', { text: 'Quan hệ với văn bản khác' }),
        d.relations.length ? el('ul', { id: 'relations' }, d.relations.map(function (r) {
          return el('li', { 'data-kind': r.kind }, r.label + ' ', others(r), r.excerpt ? el('blockquote', { text: '“' + r.excerpt + '”' }) : null);
        })) : el('p', { text: 'Không có quan hệ nào được ghi nhận.' }),
        el('h3', { text: 'Thủ tục hành chính căn cứ văn bản này' }),
        d.citedBy.totalCount ? el('ul', {}, d.citedBy.edges.map(function (e) { return el('li', { text: e.node.name + ' (' + e.node.code + ')' }); })) : el('p', { text: 'Không có.' }),
        el('h3', { text: 'Nguồn' }),
        el('blockquote', {}, el('p', { text: d.provenance.excerpt ? '“' + d.provenance.excerpt + '”' : '' }), el('footer', { class: 'note', text: d.provenance.source })),
        showQuery(DIRECTIVE, v)] };
    });
  }

  // ---------- validity over time ----------

  var SOURCES = {
    DERIVED: 'Suy ra từ ngày có hiệu lực của văn bản và các văn bản khác trong cơ sở dữ liệu sửa đổi, thay thế, bãi bỏ hoặc ngưng hiệu lực văn bản này.',
    LISTING: 'Theo tình trạng hiệu lực đã công bố (danh mục văn bản), ghi nhận ngày '
  };

  // others names the other end of a relation or an effect: its registered
  // directives as links, or its symbol.
  function others(e) {
    return e.directives.length ? e.directives.map(function (o) { return el('a', { href: '#/directive?id=' + encodeURIComponent(o.id), text: o.typeName + ' ' + o.symbol.text }); })
      : el('span', { text: e.symbol + ' (chưa có trong cơ sở dữ liệu)' });
  }
  // effectText: "bị thay thế bởi Nghị định 102/2024/NĐ-CP (Điều 9)",
  // capitalised when it starts a line.
  function effectText(e, cap) {
    return [(cap ? capital(e.label) : e.label) + ' ', others(e), e.part ? ', phần: ' + e.part : '', e.article ? ' (' + e.article + ')' : ''];
  }
  function validityCard(v) {
    var span = (v.since ? ' từ ngày ' + date(v.since) : '') + (v.until ? ' đến hết ngày ' + date(v.until) : '');
    return el('section', { class: 'card', id: 'validity', 'data-state': v.state, 'data-source': v.source, 'aria-labelledby': 'validity-title' },
      el('h3', { id: 'validity-title', text: 'Hiệu lực ngày ' + date(v.on) }),
      el('p', {}, el('strong', { text: v.label }), span, v.by ? [' — ', effectText(v.by)] : null),
      el('p', { class: 'note', text: SOURCES[v.source] + (v.source === 'LISTING' ? date(v.statedOn) + '.' : '') }),
      v.inForceFromIssueDate ? el('p', { class: 'note', text: 'Văn bản không ghi ngày có hiệu lực: tính từ ngày ban hành ' + date(v.inForceFrom) + ' (có hiệu lực kể từ ngày ký).' }) : null);
  }

  // effectsTimeline: the directive's own dates, what changed it and what it
  // changed, in date order (undated last).
  function effectsTimeline(d) {
    var items = [];
    if (d.issuedOn) items.push({ date: d.issuedOn, kind: 'ISSUED', body: 'Ban hành' });
    if (d.validity.inForceFrom) items.push({ date: d.validity.inForceFrom, kind: 'IN_FORCE', body: 'Có hiệu lực' + (d.validity.inForceFromIssueDate ? ' (tính từ ngày ban hành)' : '') });
    if (d.effectiveTo) items.push({ date: d.effectiveTo, kind: 'EFFECTIVE_TO', body: 'Ngày cuối cùng có hiệu lực theo văn bản' });
    d.affectedBy.forEach(function (e) { items.push({ date: e.date, kind: e.kind, body: effectText(e, true), effect: e }); });
    d.effects.forEach(function (e) { items.push({ date: e.date, kind: e.kind, body: effectText(e, true), effect: e, own: true }); });
    items.forEach(function (x, i) { x.i = i; });
    items.sort(function (a, b) {
      if (a.date === b.date) return a.i - b.i;
      if (!a.date) return 1;
      if (!b.date) return -1;
      return a.date < b.date ? -1 : 1;
    });
    return [items.length ? el('ol', { class: 'timeline', id: 'effects' }, items.map(function (x) {
      return el('li', { 'data-kind': x.kind, class: x.effect ? (x.own ? 'effect own' : 'effect') : null },
        el('strong', { text: (x.date ? date(x.date) : 'Không rõ ngày') + ' — ' }), x.body,
        x.effect && x.effect.dateFromIssue ? el('div', { class: 'note', text: 'Ngày ban hành: văn bản không ghi ngày có hiệu lực.' }) : null);
    })) : null,
    d.effects.length || d.affectedBy.length ? null : el('p', { class: 'note', text: 'Chưa ghi nhận văn bản nào sửa đổi, thay thế, bãi bỏ hoặc ngưng hiệu lực văn bản này, và văn bản này không thay đổi văn bản nào.' })];
  }

  var DEADLAW = 'query DeadLaw($on: Date!, $after: String) {\n' +
    '  procedures(first: 50, after: $after, filter: {legalBasisNotInForceOn: $on}) {\n' +
    '    totalCount pageInfo { hasNextPage endCursor }\n' +
    '    edges { node {\n' +
    '      code name agency { name }\n' +
    '      legalBasesNotInForce(on: $on) {\n' +
    '        basis state label directive { id symbol { text } typeName }\n' +
    '        validity { since source statedOn by { kind label symbol article date } }\n' +
    '      }\n' +
    '    } }\n' +
    '  }\n' +
    '}';

  // why says what put a basis out of force.
  function why(b) {
    var v = b.validity;
    if (!v) return 'Không có văn bản mang số, ký hiệu này trong cơ sở dữ liệu';
    if (v.by) return capital(v.by.label) + ' ' + v.by.symbol + (v.by.article ? ' (' + v.by.article + ')' : '');
    if (v.source === 'LISTING') return 'Theo danh mục văn bản, ghi nhận ngày ' + date(v.statedOn);
    if (b.state === 'NOT_YET_IN_FORCE') return 'Chưa đến ngày có hiệu lực';
    if (b.state === 'EXPIRED') return 'Hết thời hạn có hiệu lực ghi trong văn bản';
    return 'Không ghi ngày có hiệu lực';
  }

  function deadLawForm(on) {
    var form = el('form', { class: 'filters', 'aria-label': 'Chọn ngày', novalidate: true },
      el('label', {}, 'Căn cứ pháp lý không còn hiệu lực vào ngày (ngày/tháng/năm)', dateInput('on', on)),
      el('button', { type: 'submit', text: 'Xem' }));
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var iso = readDate(form.elements.on.value);
      if (!iso) { invalid(form.elements.on, 'Ngày phải viết dạng ngày/tháng/năm, chẳng hạn 01/01/2026.'); return; }
      go('deadlaw', new URLSearchParams({ on: iso }));
    });
    return form;
  }

  function deadLawView(p) {
    var on = /^\d{4}-\d{2}-\d{2}$/.test(p.get('on') || '') ? p.get('on') : today();
    var v = { on: on };
    if (p.get('after')) v.after = p.get('after');
    var heading = el('h2', { text: 'Thủ tục hành chính có căn cứ pháp lý đã hết hiệu lực' });
    var head = [el('p', {}, el('a', { href: '#/directives', class: 'back', text: '← Văn bản' })), heading,
      el('p', { class: 'note', text: 'Thủ tục có ít nhất một căn cứ pháp lý mà mọi văn bản mang số, ký hiệu đó đều không còn hiệu lực vào ngày đã chọn (chưa có hiệu lực, hết hiệu lực, bị bãi bỏ, bị thay thế hoặc bị ngưng hiệu lực). Căn cứ chưa có trong cơ sở dữ liệu được ghi là không rõ hiệu lực, không tính là hết hiệu lực.' }),
      deadLawForm(on)];
    return gql(DEADLAW, v).then(function (data) {
      var c = data.procedures;
      var count = el('p', { id: 'deadlaw-count', class: 'summary', text: num(c.totalCount) + ' thủ tục có căn cứ pháp lý không còn hiệu lực ngày ' + date(on) });
      var out = head.concat(count);
      if (c.edges.length) out.push(deadLawTable(c.edges, on));
      if (c.pageInfo.hasNextPage) out.push(el('p', {}, el('a', { href: '#/deadlaw?' + new URLSearchParams({ on: on, after: c.pageInfo.endCursor }).toString(), text: 'Trang sau →' })));
      out.push(showQuery(DEADLAW, v));
      return { title: 'Căn cứ pháp lý hết hiệu lực', heading: heading, results: count, announce: count.textContent + '.', nodes: out };
    });
  }

  function deadLawTable(edges, on) {
    return el('div', { class: 'table-wrap', tabindex: '0', role: 'region', 'aria-labelledby': 'deadlaw-caption' }, el('table', { id: 'deadlaw' },
      el('caption', { id: 'deadlaw-caption', text: 'Thủ tục và căn cứ pháp lý không còn hiệu lực ngày ' + date(on) }),
      el('thead', {}, el('tr', {}, ['Thủ tục', 'Cơ quan thực hiện', 'Căn cứ pháp lý', 'Tình trạng', 'Từ ngày', 'Lý do']
        .map(function (t) { return el('th', { scope: 'col', text: t }); }))),
      el('tbody', {}, edges.map(function (e) {
        var n = e.node, bases = n.legalBasesNotInForce;
        return bases.map(function (b, i) {
          return el('tr', { 'data-state': b.state },
            i === 0 ? el('th', { scope: 'row', rowspan: bases.length, text: n.name + ' (' + n.code + ')' }) : null,
            i === 0 ? el('td', { rowspan: bases.length, text: n.agency.name }) : null,
            el('td', {}, b.directive ? el('a', { class: 'result', href: '#/directive?id=' + encodeURIComponent(b.directive.id), text: b.directive.typeName + ' ' + b.directive.symbol.text }) : b.basis),
            el('td', { text: b.label }),
            el('td', { text: b.validity && b.validity.since ? date(b.validity.since) : '—' }),
            el('td', { text: why(b) }));
        });
      }))));
  }

  // ---------- dossiers ----------

  var DOSSIER = 'query Dossier($code: String!) {\n' +
    '  dossier(code: $code) {\n' +
    '    code status statusLabel receivedAt dueDate appointmentDate outcome nationalOutcome workingDaysTaken\n' +
    '    procedure { name processingDays }\n' +
    '    history { seq action actionLabel at statusAfter onTime toUnit note newDueDate }\n' +
    '  }\n' +
    '}';
  var OUTCOMES = { EARLY: 'trước hạn', ON_TIME: 'đúng hạn', LATE: 'quá hạn' };
  var UNIT = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/;

  // unitNames: the names of the units a dossier went to, which its history
  // gives by code (000.00.06.H56) or already by name.
  function unitNames(units) {
    return agencyList().then(function (list) {
      var names = {};
      list.forEach(function (a) { names[a.code] = a.name; });
      var missing = units.filter(function (u, i) { return UNIT.test(u) && !names[u] && units.indexOf(u) === i; }).slice(0, 20);
      if (!missing.length) return names;
      var q = 'query Units {\n' + missing.map(function (c, i) { return '  u' + i + ': agency(code: ' + JSON.stringify(c) + ') { code name }'; }).join('\n') + '\n}';
      return gql(q).then(function (d) {
        Object.keys(d).forEach(function (k) { if (d[k]) names[d[k].code] = d[k].name; });
        return names;
      }, function () { return names; });
    });
  }

  function dossierForm(code) {
    var form = el('form', { class: 'filters', role: 'search', 'aria-label': 'Tra cứu hồ sơ', novalidate: true },
      el('label', {}, 'Mã hồ sơ (chẳng hạn 000.00.06.H56-210301-0005)', el('input', { name: 'code', value: code, autocomplete: 'off' })),
      el('button', { type: 'submit', text: 'Tra cứu' }));
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var c = form.elements.code.value.trim();
      if (!c) { invalid(form.elements.code, 'Nhập mã hồ sơ.'); return; }
      go('dossier', new URLSearchParams({ code: c }));
    });
    return form;
  }

  function dossierView(p) {
    var code = p.get('code') || '', heading = el('h2', { text: 'Tra cứu hồ sơ' });
    var head = [heading, dossierForm(code)];
    if (!code) return Promise.resolve({ title: 'Tra cứu hồ sơ', heading: heading, nodes: head });
    var v = { code: code };
    return gql(DOSSIER, v).then(function (data) {
      var d = data.dossier;
      if (!d) {
        var none = el('p', { class: 'summary', text: 'Không có hồ sơ mã ' + code + '.' });
        return { title: 'Tra cứu hồ sơ', heading: heading, results: none, announce: none.textContent, nodes: head.concat(none) };
      }
      return unitNames(d.history.map(function (s) { return s.toUnit; }).filter(Boolean)).then(function (units) {
        var title = el('h3', { class: 'summary', text: d.code + ' — ' + d.statusLabel });
        var said = d.outcome ? 'Kết quả: ' + OUTCOMES[d.outcome] + (d.workingDaysTaken !== null ? ', sau ' + num(d.workingDaysTaken) + ' ngày làm việc' : '') + '.' : 'Chưa giải quyết.';
        return { title: 'Hồ sơ ' + d.code, heading: heading, results: title, announce: 'Hồ sơ ' + d.code + ': ' + d.statusLabel + '. ' + said,
          nodes: head.concat([title,
            el('p', {}, d.procedure.name + ' (' + num(d.procedure.processingDays) + ' ngày làm việc). ', said),
            el('ol', { class: 'timeline', id: 'timeline' }, dossierSteps(d, units)),
            showQuery(DOSSIER, v)]) };
      });
    });
  }

  function dossierSteps(d, units) {
    var items = [], pausedSince = null, dueShown = false;
    function due() { items.push(el('li', { class: 'due', text: 'Hạn giải quyết: ' + date(d.dueDate) })); dueShown = true; }
    d.history.forEach(function (s) {
      if (!dueShown && d.dueDate && s.at.slice(0, 10) > d.dueDate) due();
      if (s.action === 'REQUEST_SUPPLEMENT') pausedSince = s.at;
      var pause = s.action === 'RECEIVE_SUPPLEMENT' && pausedSince;
      items.push(el('li', { class: (s.onTime ? '' : 'late') + (pause ? ' pause' : '') },
        el('strong', { text: dateTime(s.at) + ' — ' + s.actionLabel }),
        s.toUnit ? ' → ' + (units[s.toUnit] || s.toUnit) : '', s.note ? el('div', { class: 'note', text: s.note }) : null,
        pause ? el('div', { class: 'note', text: 'Tạm dừng tính thời hạn từ ' + dateTime(pausedSince) + ' (chờ bổ sung)' }) : null,
        s.newDueDate ? el('div', { class: 'note', text: 'Hẹn lại: ' + date(s.newDueDate) }) : null,
        s.onTime ? null : el('div', { class: 'note', text: 'Sau hạn giải quyết' })));
      if (pause) pausedSince = null;
    });
    if (!dueShown && d.dueDate) due();
    return items;
  }

  // ---------- the key, the skip link, the start ----------

  var keyState = document.getElementById('key-state');
  function showKey() { keyState.textContent = sessionStorage.getItem(KEY) ? 'Đang dùng khóa (chỉ trong thẻ này).' : 'Người đọc ẩn danh.'; }
  document.getElementById('key').addEventListener('submit', function (ev) {
    ev.preventDefault();
    var input = document.getElementById('key-input'), v = input.value.trim();
    if (v) sessionStorage.setItem(KEY, v);
    input.value = '';
    showKey();
    render({ keepFocus: true });
  });
  document.getElementById('key-clear').addEventListener('click', function () { sessionStorage.removeItem(KEY); showKey(); render({ keepFocus: true }); });
  showKey();

  // The skip link moves the focus itself: its #main is no view, and
  // following it would leave the view's address.
  document.querySelector('a.skip').addEventListener('click', function (ev) {
    ev.preventDefault();
    main.focus();
    main.scrollIntoView();
  });

  fetch('/explore/vi.json').then(function (r) {
    if (!r.ok) throw new Error('/explore/vi.json: HTTP ' + r.status);
    return r.json();
  }).then(function (vi) {
    VI = vi;
    window.addEventListener('hashchange', function () { render(); });
    render({ keepFocus: true });
  }, function (err) { main.replaceChildren(failure(err)); });
})();
