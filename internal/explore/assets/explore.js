// /explore: the registry's figures for people who do not write GraphQL. Plain
// JavaScript over the public API; the view and its choices live in the URL's
// fragment (#/stats?agency=...), so every view can be shared as a link.
(function () {
  'use strict';

  var API = '/graphql';
  var KEY = 'registry-api-key'; // session storage only: gone with the tab
  var PALETTE = ['#0072b2', '#e69f00', '#009e73', '#d55e00', '#56b4e9', '#cc79a7', '#000000'];
  var main = document.getElementById('main');

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

  var numberFmt = new Intl.NumberFormat('vi-VN');
  function num(n) { return n === null || n === undefined ? '—' : numberFmt.format(n); }
  function pct(r) {
    if (r === null || r === undefined) return '—';
    return (Math.round(r * 1000) / 10).toFixed(1).replace('.', ',') + ' %';
  }
  function date(d) {
    if (!d) return '—';
    var p = d.slice(0, 10).split('-');
    return p[2] + '/' + p[1] + '/' + p[0];
  }
  function dateTime(t) {
    var d = new Date(t);
    return d.toLocaleString('vi-VN', { timeZone: 'Asia/Ho_Chi_Minh', dateStyle: 'short', timeStyle: 'short' });
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
      el('a', { href: href, text: 'Mở trong playground GraphQL' }));
  }

  function failure(err) { return el('p', { class: 'error', role: 'alert', text: 'Không đọc được dữ liệu: ' + err.message }); }

  // ---------- routing: #/view?param=... ----------

  function route() {
    var h = location.hash.replace(/^#\/?/, '');
    var q = h.indexOf('?');
    return { view: (q < 0 ? h : h.slice(0, q)) || 'stats', params: new URLSearchParams(q < 0 ? '' : h.slice(q + 1)) };
  }
  function go(view, params) { location.hash = '#/' + view + (params && params.toString() ? '?' + params.toString() : ''); }

  var views = { stats: statsView, reports: reportsView, directives: directivesView, directive: directiveView, deadlaw: deadLawView, dossier: dossierView };

  function render() {
    var r = route();
    document.querySelectorAll('nav a').forEach(function (a) {
      var target = a.getAttribute('href').replace(/^#\/?/, '');
      if (target === r.view || ((r.view === 'directive' || r.view === 'deadlaw') && target === 'directives')) a.setAttribute('aria-current', 'page');
      else a.removeAttribute('aria-current');
    });
    main.replaceChildren(el('p', { text: 'Đang tải…' }));
    (views[r.view] || statsView)(r.params).then(function (nodes) {
      main.replaceChildren.apply(main, [nodes].flat(Infinity).filter(Boolean));
    }, function (err) { main.replaceChildren(failure(err)); });
  }

  // ---------- statistics ----------

  var STATS = 'query Stats($f: DossierStatsFilter!, $g: [StatDimension!], $d: RateDefinition) {\n' +
    '  dossierStats(filter: $f, groupBy: $g) {\n' +
    '    asOf suppressed\n' +
    '    groups {\n' +
    '      period { label } agencyCode agency { name }\n' +
    '      received { total } resolved { total early onTime late }\n' +
    '      inProgress { total overdue asOf }\n' +
    '      rates(definition: $d) { onTime late }\n' +
    '    }\n' +
    '  }\n' +
    '  statDefinitions { name definition numerator denominator description }\n' +
    '}';
  var AGENCIES = 'query Agencies { agencies(first: 100) { edges { node { code name } } } }';
  var SPANS = { MONTH: 'Tháng', QUARTER: 'Quý', YEAR: 'Năm' };
  var DEFINITIONS = { PROVINCIAL: 'Cách tính của tỉnh (trước hạn và đúng hạn tách riêng)', NATIONAL_766: 'Quyết định 766/QĐ-TTg (đúng hạn gồm cả trước hạn)' };
  var CHANNELS = { '': 'Mọi kênh', IN_PERSON: 'Trực tiếp', ONLINE: 'Trực tuyến', POSTAL: 'Bưu chính' };

  function statsView(p) {
    return gql(AGENCIES).then(function (a) {
      var agencies = a.agencies.edges.map(function (e) { return e.node; });
      var chosen = p.getAll('agency');
      if (!chosen.length && agencies.length) chosen = [agencies[0].code];
      var s = {
        agencies: chosen, from: p.get('from') || '2021-01', to: p.get('to') || '2021-12',
        span: SPANS[p.get('span')] ? p.get('span') : 'MONTH', definition: DEFINITIONS[p.get('definition')] ? p.get('definition') : 'PROVINCIAL',
        channel: CHANNELS[p.get('channel')] !== undefined ? p.get('channel') || '' : '',
        procedures: (p.get('procedure') || '').split(',').filter(Boolean), fields: (p.get('field') || '').split(',').filter(Boolean)
      };
      return Promise.all([statsForm(agencies, s), statsFigures(s, agencies)]);
    });
  }

  function statsForm(agencies, s) {
    var form = el('form', { class: 'filters', 'aria-label': 'Chọn số liệu' },
      el('label', {}, 'Cơ quan (giữ Ctrl để chọn nhiều)',
        el('select', { name: 'agency', multiple: true, size: Math.min(6, agencies.length) },
          agencies.map(function (a) { return el('option', { value: a.code, selected: s.agencies.indexOf(a.code) >= 0, text: a.name }); }))),
      el('label', {}, 'Từ tháng', el('input', { type: 'month', name: 'from', value: s.from, min: '1945-01', max: '2100-12', required: true })),
      el('label', {}, 'Đến tháng', el('input', { type: 'month', name: 'to', value: s.to, min: '1945-01', max: '2100-12', required: true })),
      el('label', {}, 'Theo', el('select', { name: 'span' }, Object.keys(SPANS).map(function (k) { return el('option', { value: k, selected: k === s.span, text: SPANS[k] }); }))),
      el('label', {}, 'Kênh', el('select', { name: 'channel' }, Object.keys(CHANNELS).map(function (k) { return el('option', { value: k, selected: k === s.channel, text: CHANNELS[k] }); }))),
      el('label', {}, 'Mã thủ tục (cách nhau bởi dấu phẩy)', el('input', { name: 'procedure', value: s.procedures.join(','), inputmode: 'text' })),
      el('label', {}, 'Lĩnh vực (cách nhau bởi dấu phẩy)', el('input', { name: 'field', value: s.fields.join(',') })),
      el('fieldset', {}, el('legend', { text: 'Cách tính tỷ lệ' }),
        Object.keys(DEFINITIONS).map(function (k) {
          return el('label', {}, el('input', { type: 'radio', name: 'definition', value: k, checked: k === s.definition }), DEFINITIONS[k]);
        })),
      el('button', { type: 'submit', text: 'Xem' }));
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var fd = new FormData(form), params = new URLSearchParams();
      fd.getAll('agency').forEach(function (v) { params.append('agency', v); });
      ['from', 'to', 'span', 'channel', 'procedure', 'field', 'definition'].forEach(function (k) { if (fd.get(k)) params.set(k, fd.get(k)); });
      go('stats', params);
    });
    return [el('h2', { text: 'Thống kê giải quyết hồ sơ' }), form];
  }

  function statsFigures(s, agencies) {
    var filter = { from: s.from, to: s.to };
    if (s.agencies.length) filter.agencyCodes = s.agencies;
    if (s.procedures.length) filter.procedureCodes = s.procedures;
    if (s.fields.length) filter.fields = s.fields;
    if (s.channel) filter.channels = [s.channel];
    var variables = { f: filter, g: [s.span, 'AGENCY'], d: s.definition };
    return gql(STATS, variables).then(function (data) {
      var st = data.dossierStats, rows = st.groups;
      var name = {};
      agencies.forEach(function (a) { name[a.code] = a.name; });
      var out = [];
      var defs = data.statDefinitions.filter(function (d) { return d.definition === s.definition && (d.name === 'rates.onTime' || d.name === 'rates.late'); });
      out.push(el('div', { class: 'card', id: 'definition' },
        el('h3', { text: 'Cách tính: ' + DEFINITIONS[s.definition] }),
        el('ul', {}, defs.map(function (d) {
          return el('li', {}, el('strong', { text: d.name === 'rates.onTime' ? 'Tỷ lệ đúng hạn' : 'Tỷ lệ quá hạn' }), ' = ',
            el('code', { text: d.numerator }), ' / ', el('code', { text: d.denominator || '' }),
            d.description ? el('span', { lang: 'en', class: 'note', text: ' — ' + d.description }) : null);
        }))));
      if (!rows.length) {
        out.push(el('p', { text: 'Không có hồ sơ nào khớp với lựa chọn này.' }));
      } else {
        out.push(chart(rows, name));
        out.push(statsTable(rows, name, st.asOf));
      }
      if (st.suppressed) out.push(el('p', { class: 'note', text: st.suppressed + ' nhóm bị ẩn với người đọc ẩn danh: nhóm có ít hồ sơ (có thể nhận diện cá nhân) và nhóm có thể dùng để suy ra chúng bằng phép trừ; tổng vẫn tính các nhóm này.' }));
      var csv = new URLSearchParams({ from: s.from, to: s.to, groupBy: s.span.toLowerCase().replace('_', '') + ',agency', definition: s.definition });
      s.agencies.forEach(function (a) { csv.append('agency', a); });
      if (s.channel) csv.set('channel', s.channel);
      if (s.procedures.length) csv.set('procedure', s.procedures.join(','));
      if (s.fields.length) csv.set('field', s.fields.join(','));
      out.push(el('p', {}, el('a', { href: '/stats.csv?' + csv.toString(), download: '', text: 'Tải CSV đúng số liệu này (/stats.csv)' })));
      out.push(showQuery(STATS, variables));
      return out;
    });
  }

  // chart draws on-time (solid) and late (dashed) rates per agency over
  // time; its description repeats the last values for screen readers.
  function chart(rows, name) {
    var periods = [], byAgency = {};
    rows.forEach(function (r) {
      if (periods.indexOf(r.period.label) < 0) periods.push(r.period.label);
      (byAgency[r.agencyCode] = byAgency[r.agencyCode] || {})[r.period.label] = r;
    });
    var codes = Object.keys(byAgency);
    var data = [periods.map(function (_, i) { return i; })];
    var series = [{ label: 'Kỳ', value: function (u, v) { return v === null ? '—' : periods[v]; } }];
    var summary = [];
    codes.forEach(function (code, i) {
      var colour = PALETTE[i % PALETTE.length], label = name[code] || code;
      [['onTime', 'đúng hạn', null], ['late', 'quá hạn', [6, 4]]].forEach(function (m) {
        data.push(periods.map(function (p) { var r = byAgency[code][p]; return r && r.rates[m[0]] !== null ? r.rates[m[0]] * 100 : null; }));
        series.push({ label: label + ' — ' + m[1], stroke: colour, width: 2, dash: m[2], value: function (u, v) { return v === null ? '—' : pct(v / 100); } });
      });
      var withRates = periods.filter(function (p) { var r = byAgency[code][p]; return r && r.rates.onTime !== null; });
      var lastP = withRates[withRates.length - 1], last = lastP && byAgency[code][lastP];
      if (last) summary.push(label + ' ' + lastP + ': đúng hạn ' + pct(last.rates.onTime) + ', quá hạn ' + pct(last.rates.late));
    });
    var box = el('figure', { class: 'chart', id: 'stats-chart', role: 'img', 'aria-label': 'Tỷ lệ đúng hạn và quá hạn theo kỳ. ' + summary.join('; ') });
    var width = Math.max(300, Math.min(main.clientWidth || 900, 1100) - 20);
    // uPlot draws after the node is in the page.
    setTimeout(function () {
      /* global uPlot */
      new uPlot({
        width: width, height: 320, series: series,
        scales: { x: { time: false }, y: { range: [0, 100] } },
        axes: [{ values: function (u, ticks) { return ticks.map(function (t) { return periods[t] || ''; }); } },
          { values: function (u, ticks) { return ticks.map(function (t) { return t + ' %'; }); } }]
      }, data, box);
    });
    box.appendChild(el('figcaption', { class: 'note', text: 'Nét liền: tỷ lệ đúng hạn; nét đứt: tỷ lệ quá hạn. ' + summary.join('; ') }));
    return box;
  }

  function statsTable(rows, name, asOf) {
    return el('div', { class: 'table-wrap' }, el('table', { id: 'stats-table' },
      el('caption', { text: 'Số liệu theo kỳ và cơ quan (hồ sơ đang giải quyết tính đến cuối kỳ hoặc ngày ' + date(asOf) + ')' }),
      el('thead', {}, el('tr', {}, ['Kỳ', 'Cơ quan', 'Tiếp nhận', 'Đã giải quyết', 'Trước hạn', 'Đúng hạn', 'Quá hạn', 'Tỷ lệ đúng hạn', 'Tỷ lệ quá hạn', 'Đang giải quyết quá hạn']
        .map(function (t, i) { return el('th', { scope: 'col', class: i > 1 ? 'num' : null, text: t }); }))),
      el('tbody', {}, rows.map(function (r) {
        return el('tr', {},
          el('th', { scope: 'row', text: r.period.label }),
          el('td', { text: (r.agency && r.agency.name) || name[r.agencyCode] || r.agencyCode || '' }),
          [r.received.total, r.resolved.total, r.resolved.early, r.resolved.onTime, r.resolved.late].map(function (n) { return el('td', { class: 'num', text: num(n) }); }),
          el('td', { class: 'num', text: pct(r.rates.onTime) }), el('td', { class: 'num', text: pct(r.rates.late) }),
          el('td', { class: 'num', text: num(r.inProgress.overdue) }));
      }))));
  }

  // ---------- published reports ----------

  var REPORTS = 'query Reports {\n' +
    '  reports(first: 50) {\n' +
    '    edges { node {\n' +
    '      id agencyName agency { code name } period periodType\n' +
    '      resolved early onTime late earlyRate onTimeRate lateRate\n' +
    '      findings { code message }\n' +
    '      provenance { source excerpt }\n' +
    '    } }\n' +
    '  }\n' +
    '}';
  var RECONCILE = 'query Reconcile($agency: String!, $period: String!) {\n' +
    '  reconciliation(agency: $agency, period: $period) {\n' +
    '    computed { resolved { total early onTime late } }\n' +
    '    comparisons { report { id } figures { measure reported computed difference agrees } notes }\n' +
    '  }\n' +
    '}';
  var MEASURES = { resolved: 'Đã giải quyết', early: 'Trước hạn', onTime: 'Đúng hạn', late: 'Quá hạn', earlyRate: 'Tỷ lệ trước hạn', onTimeRate: 'Tỷ lệ đúng hạn', lateRate: 'Tỷ lệ quá hạn' };
  var FINDINGS = {
    PARTS_DO_NOT_ADD_UP: 'Các phần không cộng đúng tổng', RATE_TRUNCATED: 'Tỷ lệ bị cắt bớt, không làm tròn',
    RATE_BASED_ON_PARTS: 'Tỷ lệ chia cho tổng các phần, không phải tổng đã nêu', RATE_MISMATCH: 'Tỷ lệ không khớp với số liệu',
    RATE_UNCHECKED: 'Tỷ lệ không có số liệu để kiểm tra', PERIOD_UNDETERMINED: 'Không nêu kỳ báo cáo', PERIOD_INVALID: 'Kỳ báo cáo không tồn tại',
    AGENCY_UNDETERMINED: 'Không nêu cơ quan', COUNT_UNDETERMINED: 'Thiếu số liệu để kiểm tra',
    ISSUER_DISAGREES_WITH_SYMBOL: 'Cơ quan ban hành nêu trong bài khác với ký hiệu', ISSUER_UNDETERMINED: 'Không nêu cơ quan ban hành',
    TYPE_DISAGREES_WITH_SYMBOL: 'Loại văn bản nêu trong bài khác với ký hiệu', DATE_UNDETERMINED: 'Không nêu ngày ban hành',
    YEAR_DISAGREES_WITH_SYMBOL: 'Năm ban hành khác với năm trong ký hiệu', DATE_YEAR_INFERRED: 'Ngày không ghi năm, năm lấy từ ngữ cảnh',
    SUMMARY_UNDETERMINED: 'Không có trích yếu', AMBIGUOUS: 'Có thể hiểu theo hai cách'
  };
  // finding names a finding in Vietnamese; its detail, computed by the API,
  // is in English (marked so for screen readers).
  function finding(f) {
    return el('p', { class: 'finding', 'data-code': f.code }, el('strong', { text: (FINDINGS[f.code] || f.code) + '. ' }),
      el('span', { lang: 'en', class: 'note', text: f.message }));
  }

  function reportsView() {
    return gql(REPORTS).then(function (data) {
      var reports = data.reports.edges.map(function (e) { return e.node; });
      return Promise.all(reports.map(function (r) {
        if (!r.agency || !r.period) return Promise.resolve(reportCard(r, null, null));
        var v = { agency: r.agency.code, period: r.period };
        return gql(RECONCILE, v).then(function (d) { return reportCard(r, d.reconciliation, v); }, function (err) { return reportCard(r, null, null, err); });
      })).then(function (cards) {
        return [el('h2', { text: 'Báo cáo đã công bố và số liệu tính từ hồ sơ' }),
          el('p', { class: 'note', text: 'Mỗi báo cáo đọc từ bản tin, bên cạnh số liệu tính từ hồ sơ của cùng cơ quan và cùng kỳ; các điểm không khớp được tô đậm.' }),
          cards, showQuery(REPORTS, {})];
      });
    });
  }

  function reportCard(r, rec, variables, err) {
    var card = el('article', { class: 'card report', id: 'report-' + r.id },
      el('h3', { text: (r.agencyName || 'Không nêu cơ quan') + ' — ' + (r.period || 'không nêu kỳ') }),
      el('blockquote', {}, el('p', { text: '“' + r.provenance.excerpt + '”' }), el('footer', { class: 'note', text: 'Nguồn: ' + r.provenance.source })),
      r.findings.map(finding));
    if (err) card.appendChild(failure(err));
    var cmp = rec && rec.comparisons.filter(function (c) { return c.report.id === r.id; })[0];
    if (cmp) {
      card.appendChild(el('div', { class: 'table-wrap' }, el('table', { class: 'comparison' },
        el('caption', { text: 'Đã công bố và tính từ hồ sơ' }),
        el('thead', {}, el('tr', {}, ['Chỉ số', 'Đã công bố', 'Tính từ hồ sơ', 'Chênh lệch'].map(function (t, i) { return el('th', { scope: 'col', class: i ? 'num' : null, text: t }); }))),
        el('tbody', {}, cmp.figures.filter(function (f) { return f.reported !== null; }).map(function (f) {
          var rate = /Rate$/.test(f.measure);
          var fmt = rate ? pct : num;
          return el('tr', { class: f.agrees === false ? 'disagree' : null },
            el('th', { scope: 'row', text: MEASURES[f.measure] || f.measure }),
            el('td', { class: 'num', text: fmt(f.reported) }), el('td', { class: 'num', text: fmt(f.computed) }),
            el('td', { class: 'num ' + (f.agrees ? 'agree' : 'disagree'), text: rate ? pct(f.difference) : num(f.difference) }));
        })))));
      cmp.notes.forEach(function (n) { card.appendChild(el('p', { class: 'note', lang: 'en', text: n })); });
      card.appendChild(showQuery(RECONCILE, variables));
    } else if (!err) {
      card.appendChild(el('p', { class: 'note', text: 'Không so sánh được: báo cáo không nêu cơ quan có trong cơ sở dữ liệu, hoặc không nêu kỳ.' }));
    }
    return card;
  }

  // ---------- directives ----------

  var DIRECTIVES = 'query Directives($f: DirectiveFilter) {\n' +
    '  directives(first: 50, filter: $f) {\n' +
    '    totalCount\n' +
    '    facets { types { value label count } issuers { value count } years { value count } }\n' +
    '    edges { node { id symbol { text } typeName issuerAsWritten issuedOn summary } }\n' +
    '  }\n' +
    '}';

  function directivesView(p) {
    var f = {};
    if (p.get('q')) f.search = p.get('q');
    if (p.has('type')) f.type = p.get('type');
    if (p.get('issuer')) f.issuerCode = p.get('issuer');
    if (p.get('year')) f.year = parseInt(p.get('year'), 10);
    if (p.get('on')) f.inForceOn = p.get('on');
    var form = el('form', { class: 'filters', role: 'search' },
      el('label', {}, 'Tìm (không cần dấu: «mot cua» tìm «một cửa»)', el('input', { type: 'search', name: 'q', value: p.get('q') || '' })),
      el('label', {}, 'Chỉ văn bản còn hiệu lực vào ngày', el('input', { type: 'date', name: 'on', value: p.get('on') || '', min: '1945-01-01', max: '2100-12-31' })),
      el('button', { type: 'submit', text: 'Tìm' }));
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      var params = new URLSearchParams(p), fd = new FormData(form);
      ['q', 'on'].forEach(function (k) { if (fd.get(k)) params.set(k, fd.get(k)); else params.delete(k); });
      go('directives', params);
    });
    return gql(DIRECTIVES, { f: f }).then(function (data) {
      var d = data.directives;
      function facet(title, key, items, label) {
        return el('div', {}, el('h3', { text: title }), el('ul', {}, items.map(function (it) {
          var params = new URLSearchParams(p), on = p.has(key) && p.get(key) === it.value;
          if (on) params.delete(key); else params.set(key, it.value);
          return el('li', {}, el('a', { class: 'facet', href: '#/directives?' + params.toString(), 'aria-pressed': on ? 'true' : 'false' },
            (label ? label(it) : it.value) + ' (' + it.count + ')'));
        })));
      }
      return [el('h2', { text: 'Văn bản' }),
        el('p', {}, el('a', { href: '#/deadlaw', id: 'deadlaw-link', text: 'Thủ tục hành chính có căn cứ pháp lý đã hết hiệu lực →' })),
        form,
        el('div', { class: 'facets', 'aria-label': 'Lọc theo' },
          facet('Loại văn bản', 'type', d.facets.types, function (it) { return it.label; }),
          facet('Cơ quan ban hành', 'issuer', d.facets.issuers),
          facet('Năm', 'year', d.facets.years)),
        el('p', { text: d.totalCount + ' văn bản' + (f.inForceOn ? ' còn hiệu lực ngày ' + date(f.inForceOn) : '') }),
        el('ul', { class: 'plain', id: 'directive-list' }, d.edges.map(function (e) {
          var n = e.node;
          return el('li', { class: 'card' }, el('a', { href: '#/directive?id=' + encodeURIComponent(n.id) }, el('strong', { text: n.typeName + ' ' + n.symbol.text })),
            ' — ', (n.issuerAsWritten || '') + (n.issuedOn ? ', ngày ' + date(n.issuedOn) : ''), n.summary ? el('p', { text: n.summary }) : null);
        })),
        showQuery(DIRECTIVES, { f: f })];
    });
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
    '      findings { code message }\n' +
    '      relations { kind label symbol excerpt directives { id symbol { text } typeName } }\n' +
    '      citedBy(first: 50) { totalCount edges { node { code name } } }\n' +
    '      provenance { source excerpt recorded }\n' +
    '    }\n' +
    '  }\n' +
    '}';

  function directiveView(p) {
    var v = { id: p.get('id') || '' };
    return gql(DIRECTIVE, v).then(function (data) {
      var d = data.node;
      if (!d) return [el('p', { text: 'Không có văn bản này.' })];
      return [el('p', {}, el('a', { href: '#/directives', text: '← Văn bản' })),
        el('h2', { text: d.typeName + ' ' + d.symbol.text }),
        el('dl', {},
          el('dt', { text: 'Cơ quan ban hành' }), el('dd', { text: (d.issuerAsWritten || d.issuerName || d.issuerCode) }),
          el('dt', { text: 'Ngày ban hành' }), el('dd', { text: date(d.issuedOn) }),
          d.signer && d.signer.name ? [el('dt', { text: 'Người ký' }), el('dd', { text: (d.signer.position || '') + ' ' + d.signer.name })] : null,
          d.summary ? [el('dt', { text: 'Trích yếu' }), el('dd', { text: d.summary })] : null),
        d.findings.map(finding),
        validityCard(d.validity),
        el('h3', { text: 'Diễn biến hiệu lực' }),
        effectsTimeline(d),
        el('h3', { text: 'Quan hệ với văn bản khác' }),
        d.relations.length ? el('ul', { id: 'relations' }, d.relations.map(function (r) {
          return el('li', { 'data-kind': r.kind }, r.label + ' ',
            r.directives.length ? r.directives.map(function (o) { return el('a', { href: '#/directive?id=' + encodeURIComponent(o.id), text: o.typeName + ' ' + o.symbol.text }); }) : el('span', { text: r.symbol + ' (chưa có trong cơ sở dữ liệu)' }),
            r.excerpt ? el('blockquote', { text: '“' + r.excerpt + '”' }) : null);
        })) : el('p', { text: 'Không có quan hệ nào được ghi nhận.' }),
        el('h3', { text: 'Thủ tục hành chính căn cứ văn bản này' }),
        d.citedBy.totalCount ? el('ul', {}, d.citedBy.edges.map(function (e) { return el('li', { text: e.node.name + ' (' + e.node.code + ')' }); })) : el('p', { text: 'Không có.' }),
        el('h3', { text: 'Nguồn' }),
        el('blockquote', {}, el('p', { text: d.provenance.excerpt ? '“' + d.provenance.excerpt + '”' : '' }), el('footer', { class: 'note', text: d.provenance.source })),
        showQuery(DIRECTIVE, v)];
    });
  }

  // ---------- validity over time ----------

  var SOURCES = {
    DERIVED: 'Suy ra từ ngày có hiệu lực của văn bản và các văn bản khác trong cơ sở dữ liệu sửa đổi, thay thế, bãi bỏ hoặc ngưng hiệu lực văn bản này.',
    LISTING: 'Theo tình trạng hiệu lực đã công bố (danh mục văn bản), ghi nhận ngày '
  };

  // today is the date in Vietnam, YYYY-MM-DD.
  function today() {
    var parts = {};
    new Intl.DateTimeFormat('en-GB', { timeZone: 'Asia/Ho_Chi_Minh', year: 'numeric', month: '2-digit', day: '2-digit' })
      .formatToParts(new Date()).forEach(function (x) { parts[x.type] = x.value; });
    return parts.year + '-' + parts.month + '-' + parts.day;
  }
  function capital(s) { return s.charAt(0).toUpperCase() + s.slice(1); }
  // others names the other end of an effect: its registered directives as
  // links, or its symbol.
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
    return el('section', { class: 'card', id: 'validity', 'data-state': v.state, 'data-source': v.source },
      el('h3', { text: 'Hiệu lực ngày ' + date(v.on) }),
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
    if (v.by) return [capital(v.by.label) + ' ' + v.by.symbol + (v.by.article ? ' (' + v.by.article + ')' : '')];
    if (v.source === 'LISTING') return 'Theo danh mục văn bản, ghi nhận ngày ' + date(v.statedOn);
    if (b.state === 'NOT_YET_IN_FORCE') return 'Chưa đến ngày có hiệu lực';
    if (b.state === 'EXPIRED') return 'Hết thời hạn có hiệu lực ghi trong văn bản';
    return 'Không ghi ngày có hiệu lực';
  }

  function deadLawView(p) {
    var on = /^\d{4}-\d{2}-\d{2}$/.test(p.get('on') || '') ? p.get('on') : today();
    var form = el('form', { class: 'filters', 'aria-label': 'Chọn ngày' },
      el('label', {}, 'Căn cứ pháp lý không còn hiệu lực vào ngày', el('input', { type: 'date', name: 'on', value: on, min: '1945-01-01', max: '2100-12-31', required: true })),
      el('button', { type: 'submit', text: 'Xem' }));
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      go('deadlaw', new URLSearchParams({ on: new FormData(form).get('on') }));
    });
    var v = { on: on };
    if (p.get('after')) v.after = p.get('after');
    var head = [el('p', {}, el('a', { href: '#/directives', text: '← Văn bản' })),
      el('h2', { text: 'Thủ tục hành chính có căn cứ pháp lý đã hết hiệu lực' }),
      el('p', { class: 'note', text: 'Thủ tục có ít nhất một căn cứ pháp lý mà mọi văn bản mang số, ký hiệu đó đều không còn hiệu lực vào ngày đã chọn (chưa có hiệu lực, hết hiệu lực, bị bãi bỏ, bị thay thế hoặc bị ngưng hiệu lực). Căn cứ chưa có trong cơ sở dữ liệu được ghi là không rõ hiệu lực, không tính là hết hiệu lực.' }),
      form];
    return gql(DEADLAW, v).then(function (data) {
      var c = data.procedures;
      var out = head.concat(el('p', { id: 'deadlaw-count', text: c.totalCount + ' thủ tục có căn cứ pháp lý không còn hiệu lực ngày ' + date(on) }));
      if (c.edges.length) {
        out.push(el('div', { class: 'table-wrap' }, el('table', { id: 'deadlaw' },
          el('caption', { text: 'Thủ tục và căn cứ pháp lý không còn hiệu lực ngày ' + date(on) }),
          el('thead', {}, el('tr', {}, ['Thủ tục', 'Cơ quan thực hiện', 'Căn cứ pháp lý', 'Tình trạng', 'Từ ngày', 'Lý do']
            .map(function (t) { return el('th', { scope: 'col', text: t }); }))),
          el('tbody', {}, c.edges.map(function (e) {
            var n = e.node, bases = n.legalBasesNotInForce;
            return bases.map(function (b, i) {
              return el('tr', { 'data-state': b.state },
                i === 0 ? el('th', { scope: 'row', rowspan: bases.length, text: n.name + ' (' + n.code + ')' }) : null,
                i === 0 ? el('td', { rowspan: bases.length, text: n.agency.name }) : null,
                el('td', {}, b.directive ? el('a', { href: '#/directive?id=' + encodeURIComponent(b.directive.id), text: b.directive.typeName + ' ' + b.directive.symbol.text }) : b.basis),
                el('td', { text: b.label }),
                el('td', { text: b.validity && b.validity.since ? date(b.validity.since) : '—' }),
                el('td', {}, why(b)));
            });
          })))));
      }
      if (c.pageInfo.hasNextPage) out.push(el('p', {}, el('a', { href: '#/deadlaw?' + new URLSearchParams({ on: on, after: c.pageInfo.endCursor }).toString(), text: 'Trang sau →' })));
      out.push(showQuery(DEADLAW, v));
      return out;
    });
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

  function dossierView(p) {
    var code = p.get('code') || '';
    var form = el('form', { class: 'filters', role: 'search' },
      el('label', {}, 'Mã hồ sơ (000.00.06.H56-210301-0005)', el('input', { name: 'code', value: code, required: true })),
      el('button', { type: 'submit', text: 'Tra cứu' }));
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      go('dossier', new URLSearchParams({ code: new FormData(form).get('code').trim() }));
    });
    var head = [el('h2', { text: 'Hồ sơ' }), form];
    if (!code) return Promise.resolve(head);
    var v = { code: code };
    return gql(DOSSIER, v).then(function (data) {
      var d = data.dossier;
      if (!d) return head.concat(el('p', { text: 'Không có hồ sơ mã ' + code + '.' }));
      var items = [], pausedSince = null, dueShown = false;
      d.history.forEach(function (s) {
        if (!dueShown && d.dueDate && s.at.slice(0, 10) > d.dueDate) {
          items.push(el('li', { class: 'due', text: 'Hạn giải quyết: ' + date(d.dueDate) }));
          dueShown = true;
        }
        if (s.action === 'REQUEST_SUPPLEMENT') pausedSince = s.at;
        var pause = s.action === 'RECEIVE_SUPPLEMENT' && pausedSince;
        items.push(el('li', { class: (s.onTime ? '' : 'late') + (pause ? ' pause' : '') },
          el('strong', { text: dateTime(s.at) + ' — ' + s.actionLabel }),
          s.toUnit ? ' → ' + s.toUnit : '', s.note ? el('div', { class: 'note', text: s.note }) : null,
          pause ? el('div', { class: 'note', text: 'Tạm dừng tính thời hạn từ ' + dateTime(pausedSince) + ' (chờ bổ sung)' }) : null,
          s.newDueDate ? el('div', { class: 'note', text: 'Hẹn lại: ' + date(s.newDueDate) }) : null,
          s.onTime ? null : el('div', { class: 'note', text: 'Sau hạn giải quyết' })));
        if (pause) pausedSince = null;
      });
      if (!dueShown && d.dueDate) items.push(el('li', { class: 'due', text: 'Hạn giải quyết: ' + date(d.dueDate) }));
      return head.concat([
        el('h3', { text: d.code + ' — ' + d.statusLabel }),
        el('p', {}, d.procedure.name + ' (' + d.procedure.processingDays + ' ngày làm việc). ',
          d.outcome ? 'Kết quả: ' + OUTCOMES[d.outcome] + (d.workingDaysTaken !== null ? ', sau ' + d.workingDaysTaken + ' ngày làm việc' : '') + '.' : 'Chưa giải quyết.'),
        el('ol', { class: 'timeline', id: 'timeline' }, items),
        showQuery(DOSSIER, v)]);
    });
  }

  // ---------- the key ----------

  var keyForm = document.getElementById('key');
  var keyState = document.getElementById('key-state');
  function showKey() { keyState.textContent = sessionStorage.getItem(KEY) ? 'Đang dùng khóa (chỉ trong thẻ này).' : 'Người đọc ẩn danh.'; }
  keyForm.addEventListener('submit', function (ev) {
    ev.preventDefault();
    var v = document.getElementById('key-input').value.trim();
    if (v) sessionStorage.setItem(KEY, v);
    document.getElementById('key-input').value = '';
    showKey();
    render();
  });
  document.getElementById('key-clear').addEventListener('click', function () { sessionStorage.removeItem(KEY); showKey(); render(); });
  showKey();

  window.addEventListener('hashchange', render);
  render();
})();
