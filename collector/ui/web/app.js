// The /ui page and the HTML report (docs/ui.md). One script for both: the report carries its
// data in <script id="am-data" type="application/json">; the page asks the collector's
// /ui/api/*. Every text from the store is set with textContent, never parsed as HTML, and no
// element gets a style attribute (the Content-Security-Policy allows none).
(function () {
  'use strict';

  const STATUS = {
    ok: { symbol: '\u2713', text: 'ok' },
    warning: { symbol: '\u25B2', text: 'warning' },
    alert: { symbol: '\u2715', text: 'alert' },
    no_data: { symbol: '\u2013', text: 'no data' },
  };
  // Series colours (with a dash pattern each, so a line is told apart without its colour).
  const PALETTE = ['#0969da', '#cf222e', '#1a7f37', '#8250df', '#9a6700', '#bf3989', '#0a3069', '#57606a'];
  const DASHES = [[], [6, 3], [2, 2], [10, 3, 2, 3], [1, 4], [12, 4]];

  // ---- where the data comes from ----

  function reportSource(data) {
    return {
      live: false,
      overview: () => Promise.resolve(data),
      task: (id) => {
        const d = data.task_details && data.task_details[String(id)];
        return d ? Promise.resolve(d) : Promise.reject(new Error('this report holds no details of task ' + id));
      },
      why: (id) => {
        const w = data.why && data.why[id];
        return w ? Promise.resolve(w) : Promise.reject(new Error('this report holds no evidence for rule ' + id));
      },
    };
  }

  function getJson(path) {
    return fetch(path, { headers: { Accept: 'application/json' }, credentials: 'same-origin' }).then((response) =>
      response.json().then(
        (body) => {
          if (!response.ok) throw new Error(body && body.error ? body.error : 'HTTP ' + response.status);
          return body;
        },
        () => {
          throw new Error('HTTP ' + response.status);
        }
      )
    );
  }

  function liveSource() {
    return {
      live: true,
      overview: (window) => getJson('ui/api/overview' + (window ? '?window=' + encodeURIComponent(window) : '')),
      task: (id) => getJson('ui/api/task?id=' + encodeURIComponent(id)),
      why: (id) => getJson('ui/api/why?id=' + encodeURIComponent(id)),
    };
  }

  // ---- small helpers ----

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === 'text') node.textContent = value;
      else if (name === 'onclick') node.addEventListener('click', value);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  function byId(id) {
    return document.getElementById(id);
  }

  // "2026-12-06T10:00:00Z" -> "2026-12-06 10:00 UTC": the same text whatever the browser's locale.
  function when(rfc3339) {
    if (!rfc3339) return '\u2013';
    const d = new Date(rfc3339);
    if (isNaN(d.getTime())) return String(rfc3339);
    return d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC';
  }

  function integer(n) {
    if (n === null || n === undefined) return '\u2013';
    return Math.round(n).toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  }

  function dollars(n) {
    if (n === null || n === undefined) return '\u2013';
    return '$' + (n !== 0 && Math.abs(n) < 0.01 ? n.toFixed(4) : n.toFixed(2));
  }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) return '\u2013';
    const s = Math.round(seconds);
    if (s < 60) return s + ' s';
    if (s < 3600) return Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
    const h = Math.floor(s / 3600);
    return h + ' h ' + Math.floor((s % 3600) / 60) + ' min';
  }

  function statusOf(name) {
    return STATUS[name] || STATUS.no_data;
  }

  function statusText(name) {
    const s = statusOf(name);
    return s.symbol + ' ' + s.text;
  }

  // ---- charts ----

  // Charts follow their frame's width (zoom, a narrower window); a ResizeObserver resizes them.
  const charts = [];
  const resizer =
    typeof ResizeObserver === 'function'
      ? new ResizeObserver((entries) => {
          for (const entry of entries) {
            const chart = charts.find((c) => c.frame === entry.target);
            const width = Math.floor(entry.contentRect.width);
            if (chart && width > 0 && width !== chart.plot.width) chart.plot.setSize({ width: width, height: chart.height });
          }
        })
      : null;

  function dropCharts() {
    for (const chart of charts) {
      if (resizer) resizer.unobserve(chart.frame);
      chart.plot.destroy();
    }
    charts.length = 0;
  }

  function addChart(frame, options, data) {
    const width = Math.max(Math.floor(frame.getBoundingClientRect().width), 120);
    options.width = width;
    const plot = new uPlot(options, data, frame);
    charts.push({ frame: frame, plot: plot, height: options.height });
    if (resizer) resizer.observe(frame);
    return plot;
  }

  function sparkline(frame, kpi, stepSeconds, generatedAt) {
    const values = kpi.series || [];
    const known = values.filter((v) => v !== null);
    if (known.length === 0) {
      frame.append(el('p', { class: 'spark-none', text: 'No data in any slice of the window.' }));
      return;
    }
    const end = new Date(generatedAt).getTime() / 1000;
    const xs = values.map((_, i) => end - (values.length - i - 0.5) * stepSeconds);
    const low = Math.min(...known);
    const high = Math.max(...known);
    frame.setAttribute('role', 'img');
    frame.setAttribute(
      'aria-label',
      kpi.name + ' over ' + values.length + ' slices: first ' + known[0] + ', last ' + known[known.length - 1] + ', lowest ' + low + ', highest ' + high
    );
    addChart(
      frame,
      {
        height: 44,
        legend: { show: false },
        cursor: { show: false },
        select: { show: false },
        axes: [{ show: false }, { show: false }],
        // A tenth of the span above and below, so that no point sits on the edge.
        scales: { x: { time: true }, y: { range: (u, min, max) => (min === max ? [min - 1, max + 1] : [min - (max - min) / 10, max + (max - min) / 10]) } },
        series: [{}, { stroke: '#0550ae', width: 2, spanGaps: true, points: { show: true, size: 4 } }],
      },
      [xs, values]
    );
  }

  // ---- sections ----

  function renderAlerts(data) {
    const body = clear(byId('alerts-body'));
    if (!data.alerts || data.alerts.length === 0) {
      body.append(el('p', { class: 'empty', text: 'No KPI is past its alert threshold.' }));
      return;
    }
    const list = el('ul', { class: 'alerts-list' });
    for (const a of data.alerts) {
      list.append(
        el(
          'li',
          { 'data-kpi': a.kpi },
          el('strong', { class: 'status-alert', text: statusText('alert') + ': ' }),
          data.alerts_window && data.alerts_window !== data.window
            ? a.name + ' is past its alert threshold (' + a.threshold + ') over the last ' + data.alerts_window + (a.since ? ', since ' + when(a.since) : '') +
                '; over ' + data.window + ' it is ' + a.display
            : a.name + ' is ' + a.display + ' (alert when ' + a.threshold + ')' + (a.since ? ', since ' + when(a.since) : '')
        )
      );
    }
    body.append(list);
  }

  function renderKpis(data) {
    const grid = clear(byId('kpi-grid'));
    const report = data.kpi;
    const pending = [];
    for (const k of report.kpis) {
      const status = k.status || 'no_data';
      const facts = el('dl', { class: 'facts' });
      const fact = (term, value) => {
        facts.append(el('dt', { text: term }), el('dd', { text: value }));
      };
      fact('Target', k.display.target);
      fact('Alert', k.display.alert);
      fact('Trend', k.display.trend);
      fact('Samples', integer(k.samples));
      if (k.dora_band) fact('DORA band', k.dora_band);
      const frame = el('div', { class: 'spark' });
      const card = el(
        'li',
        { class: 'kpi status-' + status, 'data-kpi': k.id, 'data-value': k.value === null ? '' : String(k.value), 'data-status': status },
        el('h3', { text: k.name }),
        el('p', { class: 'kpi-value', text: k.display.value }),
        el('p', { class: 'kpi-status status-' + status, text: statusText(status) }),
        facts,
        frame
      );
      grid.append(card);
      pending.push([frame, k]);
    }
    // Drawn once the cards are laid out, so each chart takes its card's width.
    for (const [frame, k] of pending) sparkline(frame, k, report.series_step_seconds, report.generated_at);
  }

  function usageChart(parent, title, days, field, format) {
    const dayList = [...new Set(days.map((d) => d.day))].sort();
    const keys = [...new Set(days.map((d) => (d.agent_type || 'unknown agent') + ' \u00b7 ' + (d.model || 'unknown model')))].sort();
    const xs = dayList.map((d) => Date.parse(d + 'T00:00:00Z') / 1000);
    const series = keys.map(() => dayList.map(() => null));
    for (const d of days) {
      const key = (d.agent_type || 'unknown agent') + ' \u00b7 ' + (d.model || 'unknown model');
      const s = series[keys.indexOf(key)];
      const i = dayList.indexOf(d.day);
      s[i] = (s[i] || 0) + field(d);
    }
    const frame = el('div', { class: 'chart-frame' });
    const figure = el('figure', { class: 'chart' }, el('h3', { text: title }), frame);
    parent.append(figure);
    frame.setAttribute('role', 'img');
    frame.setAttribute('aria-label', title + ' for ' + keys.length + ' agent and model pairs over ' + dayList.length + ' days; the table below lists every figure.');
    addChart(
      frame,
      {
        height: 220,
        scales: { x: { time: true } },
        axes: [{}, { values: (u, ticks) => ticks.map(format), size: 70 }],
        series: [{ label: 'Day (UTC)' }].concat(
          keys.map((key, i) => ({
            label: key,
            stroke: PALETTE[i % PALETTE.length],
            dash: DASHES[i % DASHES.length],
            width: 2,
            points: { show: true, size: 6 },
            value: (u, v) => (v === null ? '\u2013' : format(v)),
          }))
        ),
      },
      [xs].concat(series)
    );
  }

  function renderUsage(data) {
    const charts = clear(byId('usage-charts'));
    const table = byId('usage-table');
    const caption = table.querySelector('caption');
    clear(table).append(caption);
    const days = data.usage.days || [];
    if (days.length === 0) {
      charts.append(el('p', { class: 'empty', text: 'No task of the window reports tokens or a cost.' }));
      return;
    }
    usageChart(charts, 'Cost per day (USD)', days, (d) => d.cost_usd, (v) => dollars(v));
    usageChart(charts, 'Tokens per day', days, (d) => d.tokens_input + d.tokens_output + d.tokens_cache_read + d.tokens_cache_creation, (v) =>
      integer(v)
    );
    const columns = ['Day (UTC)', 'Agent', 'Model', 'Tasks', 'Input tokens', 'Output tokens', 'Cache read', 'Cache write', 'Cost'];
    const numeric = (i) => i >= 3;
    table.append(el('thead', {}, el('tr', {}, ...columns.map((c, i) => el('th', { scope: 'col', class: numeric(i) ? 'number' : null, text: c })))));
    const body = el('tbody');
    const total = { tasks: 0, tokens_input: 0, tokens_output: 0, tokens_cache_read: 0, tokens_cache_creation: 0, cost_usd: 0, tasks_with_cost: 0 };
    for (const d of days) {
      for (const key of Object.keys(total)) total[key] += d[key];
      body.append(
        el(
          'tr',
          {},
          el('th', { scope: 'row', text: d.day }),
          el('td', { text: d.agent_type || '\u2013' }),
          el('td', { text: d.model || '\u2013' }),
          el('td', { class: 'number', text: integer(d.tasks) }),
          el('td', { class: 'number', text: integer(d.tokens_input) }),
          el('td', { class: 'number', text: integer(d.tokens_output) }),
          el('td', { class: 'number', text: integer(d.tokens_cache_read) }),
          el('td', { class: 'number', text: integer(d.tokens_cache_creation) }),
          el('td', { class: 'number', text: d.tasks_with_cost ? dollars(d.cost_usd) : '\u2013' })
        )
      );
    }
    table.append(body);
    table.append(
      el(
        'tfoot',
        {},
        el(
          'tr',
          {},
          el('th', { scope: 'row', text: 'Total' }),
          el('td'),
          el('td'),
          el('td', { class: 'number', text: integer(total.tasks) }),
          el('td', { class: 'number', text: integer(total.tokens_input) }),
          el('td', { class: 'number', text: integer(total.tokens_output) }),
          el('td', { class: 'number', text: integer(total.tokens_cache_read) }),
          el('td', { class: 'number', text: integer(total.tokens_cache_creation) }),
          el('td', { class: 'number', id: 'usage-total-cost', 'data-value': total.cost_usd, text: total.tasks_with_cost ? dollars(total.cost_usd) : '\u2013' })
        )
      )
    );
  }

  function outcome(success, failureType) {
    if (success === null || success === undefined) return el('span', { text: '\u2013' });
    return success
      ? el('span', { class: 'outcome-success', text: '\u2713 success' })
      : el('span', { class: 'outcome-failure', text: '\u2715 failure' + (failureType ? ' (' + failureType + ')' : '') });
  }

  function renderTasks(data, source) {
    const table = byId('task-table');
    const caption = table.querySelector('caption');
    clear(table).append(caption);
    const tasks = data.tasks || [];
    if (tasks.length === 0) {
      table.append(el('tbody', {}, el('tr', {}, el('td', { class: 'empty', text: 'No task in the window.' }))));
      return;
    }
    const columns = ['Finished', 'Agent', 'Task', 'Outcome', 'Duration', 'Tokens', 'Cost', 'Rules', 'Details'];
    table.append(el('thead', {}, el('tr', {}, ...columns.map((c, i) => el('th', { scope: 'col', class: i >= 4 && i <= 7 ? 'number' : null, text: c })))));
    const body = el('tbody');
    for (const t of tasks) {
      const label = t.title || t.task_type || 'task ' + t.id;
      body.append(
        el(
          'tr',
          { 'data-task': t.id },
          el('th', { scope: 'row', text: when(t.time) }),
          el('td', { text: t.agent_type || '\u2013' }),
          el('td', { text: label }),
          el('td', {}, outcome(t.success, t.failure_type)),
          el('td', { class: 'number', text: duration(t.duration_seconds) }),
          el('td', { class: 'number', text: integer(t.tokens) }),
          el('td', { class: 'number', text: dollars(t.cost_usd) }),
          el('td', { class: 'number', text: String(t.rule_count) }),
          el(
            'td',
            {},
            el('button', {
              type: 'button',
              class: 'task-details',
              'aria-label': 'Details of ' + label,
              text: 'Details',
              onclick: (event) => showTask(source, t.id, label, event.currentTarget),
            })
          )
        )
      );
    }
    table.append(body);
  }

  function ruleSummary(rule) {
    return (
      (rule.kind === 'anti-pattern' ? 'Anti-pattern' : 'Rule') +
      ', confidence ' +
      rule.confidence.toFixed(2) +
      ', ' +
      rule.maturity +
      ', helpful ' +
      rule.helpful +
      ', harmful ' +
      rule.harmful
    );
  }

  function renderPlaybook(data, source) {
    const list = clear(byId('playbook-list'));
    const search = byId('playbook-search');
    const count = byId('playbook-count');
    const playbook = data.playbook;
    if (!playbook.available) {
      search.disabled = true;
      count.textContent = playbook.reason;
      return;
    }
    search.disabled = false;
    const halfLife = playbook.half_life_days;
    const items = [];
    for (const rule of playbook.rules) {
      const facts = el('dl', { class: 'facts' });
      const fact = (term, ...value) => facts.append(el('dt', { text: term }), el('dd', {}, ...value));
      fact(
        'Confidence',
        el('meter', { min: 0, max: 1, value: rule.confidence, 'aria-label': 'Confidence of ' + rule.id }),
        ' ' + rule.confidence.toFixed(2)
      );
      fact('Decay', 'halves every ' + halfLife + ' days without a confirmation; last confirmed ' + when(rule.last_validated));
      fact('Feedback', 'helpful ' + rule.helpful + ', harmful ' + rule.harmful);
      fact('Maturity', rule.maturity);
      fact('Evidence', integer(rule.evidence_count) + ' tasks');
      fact('Source', rule.source + (rule.added_by ? ' (' + rule.added_by + ')' : ''));
      const item = el(
        'li',
        { class: 'rule kind-' + rule.kind, 'data-rule': rule.id },
        el('p', { class: 'rule-kind', text: (rule.kind === 'anti-pattern' ? '\u2715 anti-pattern' : '\u2713 rule') + ' \u00b7 ' + rule.id }),
        el('p', { class: 'rule-content', text: rule.content }),
        rule.tags && rule.tags.length ? el('p', { class: 'tags', text: 'Tags: ' + rule.tags.join(', ') }) : null,
        facts,
        el('button', {
          type: 'button',
          'aria-label': 'Why: the evidence for ' + rule.id,
          text: 'Why?',
          onclick: (event) => showWhy(source, rule.id, event.currentTarget),
        })
      );
      const haystack = [rule.id, rule.content, rule.kind, rule.maturity, rule.source, (rule.tags || []).join(' ')].join(' ').toLowerCase();
      items.push([item, haystack]);
      list.append(item);
    }
    const filter = () => {
      const words = search.value.toLowerCase().split(/\s+/).filter((w) => w);
      let shown = 0;
      for (const [item, haystack] of items) {
        const match = words.every((w) => haystack.includes(w));
        item.hidden = !match;
        shown += match ? 1 : 0;
      }
      count.textContent =
        shown + ' of ' + items.length + ' rules shown' + (playbook.total > items.length ? ' (the ' + items.length + ' most trusted of ' + playbook.total + ')' : '');
    };
    search.oninput = filter;
    filter();
  }

  function renderReflections(data) {
    const table = byId('reflection-table');
    const caption = table.querySelector('caption');
    clear(table).append(caption);
    const runs = data.reflections || [];
    if (runs.length === 0) {
      table.append(el('tbody', {}, el('tr', {}, el('td', { class: 'empty', text: data.playbook.available ? 'No reflection has run yet.' : 'No playbook yet.' }))));
      return;
    }
    table.append(el('thead', {}, el('tr', {}, ...['Started', 'Trigger', 'Status', 'Duration', 'Summary'].map((c) => el('th', { scope: 'col', text: c })))));
    const body = el('tbody');
    for (const r of runs) {
      const summary = r.summary && typeof r.summary === 'object' ? Object.entries(r.summary).filter(([, v]) => typeof v !== 'object') : [];
      body.append(
        el(
          'tr',
          {},
          el('th', { scope: 'row', text: when(r.time) }),
          el('td', { text: r.trigger }),
          el('td', { class: r.status === 'error' ? 'outcome-failure' : r.status === 'ok' ? 'outcome-success' : null, text: (r.status === 'error' ? '\u2715 ' : r.status === 'ok' ? '\u2713 ' : '') + r.status }),
          el('td', { text: r.duration_ms === null ? '\u2013' : duration(r.duration_ms / 1000) }),
          el('td', { text: r.error ? r.error : summary.map(([k, v]) => k.replace(/_/g, ' ') + ': ' + v).join(', ') || '\u2013' })
        )
      );
    }
    table.append(body);
  }

  // ---- the detail dialog ----

  let opener = null;

  function openDialog(title, content, from) {
    const dialog = byId('detail');
    opener = from;
    byId('detail-title').textContent = title;
    clear(byId('detail-body')).append(content);
    if (!dialog.open) dialog.showModal();
    byId('detail-close').focus();
  }

  function dialogError(error) {
    return el('p', { class: 'error', role: 'alert', text: String(error.message || error) });
  }

  function showTask(source, id, label, from) {
    openDialog('Task: ' + label, el('p', { text: 'Loading\u2026' }), from);
    source.task(id).then(
      (detail) => {
        const t = detail.task;
        const f = t.fields || {};
        const facts = el('dl', { class: 'facts' });
        const fact = (term, value) => facts.append(el('dt', { text: term }), el('dd', {}, value));
        fact('Outcome', outcome(f.success === undefined ? null : !!f.success, f.failure_type));
        fact('Finished', when(t.time));
        fact('Duration', duration(f.duration_seconds));
        fact('Agent', f.agent_type || '\u2013');
        fact('Task type', f.task_type || '\u2013');
        fact('Model', f.model || '\u2013');
        const tokens = ['tokens_input', 'tokens_output', 'tokens_cache_read', 'tokens_cache_creation'];
        fact('Tokens', tokens.map((k) => k.replace('tokens_', '').replace('_', ' ') + ' ' + integer(f[k])).join(', '));
        fact('Cost', dollars(f.cost_usd === undefined ? null : f.cost_usd));
        const shown = new Set(['success', 'failure_type', 'duration_seconds', 'agent_type', 'task_type', 'model', 'cost_usd', 'rule_ids'].concat(tokens));
        for (const [k, v] of Object.entries(f)) {
          if (!shown.has(k)) fact(k.replace(/_/g, ' '), String(v));
        }
        const rules = el('ul', { id: 'detail-rules' });
        for (const given of detail.rules_given) {
          rules.append(
            el(
              'li',
              { 'data-rule': given.id },
              el('strong', { text: given.id }),
              ' (given by the ' + given.via + '): ',
              given.rule ? given.rule.content + ' \u2014 ' + ruleSummary(given.rule) : 'no longer in the playbook'
            )
          );
        }
        const content = el('div', {}, facts, el('h3', { text: 'Rules it was given' }));
        content.append(detail.rules_given.length ? rules : el('p', { class: 'empty', text: 'None.' }));
        clear(byId('detail-body')).append(content);
      },
      (error) => clear(byId('detail-body')).append(dialogError(error))
    );
  }

  function showWhy(source, id, from) {
    openDialog('Why rule ' + id, el('p', { text: 'Loading\u2026' }), from);
    source.why(id).then(
      (why) => {
        const content = el('div', {}, el('p', { text: why.rule.content }), el('p', { text: ruleSummary(why.rule) }));
        content.append(el('h3', { text: 'Patterns it was learnt from' }));
        const patterns = el('ul');
        for (const p of why.patterns) {
          const data = p.data && typeof p.data === 'object' ? p.data : {};
          const described = data.description || data.summary || data.failure_type || data.approach || '';
          patterns.append(el('li', { text: p.pattern_id + (p.kind ? ' (' + p.kind + ')' : ' (no longer among the patterns)') + (described ? ': ' + described : '') }));
        }
        content.append(why.patterns.length ? patterns : el('p', { class: 'empty', text: 'None: added by hand or imported.' }));
        content.append(el('h3', { text: 'Feedback, oldest first' }));
        const feedback = el('ul');
        for (const f of why.feedback) {
          feedback.append(
            el(
              'li',
              {},
              (f.kind === 'harmful' ? '\u2715 harmful' : '\u2713 helpful') +
                ' (weight ' + f.weight + ', ' + f.origin + ') ' + when(f.time) + (f.session_id ? ', session ' + f.session_id : '') + (f.note ? ': ' + f.note : '')
            )
          );
        }
        content.append(why.feedback.length ? feedback : el('p', { class: 'empty', text: 'No feedback yet.' }));
        content.append(el('p', { text: 'Sessions it was given to: ' + why.sessions_given + '; sessions that graded it: ' + why.sessions.length + '.' }));
        clear(byId('detail-body')).append(content);
      },
      (error) => clear(byId('detail-body')).append(dialogError(error))
    );
  }

  function setUpDialog() {
    const dialog = byId('detail');
    byId('detail-close').addEventListener('click', () => dialog.close());
    dialog.addEventListener('close', () => {
      if (opener && document.contains(opener)) opener.focus();
      opener = null;
    });
  }

  // ---- the page ----

  function render(data, source) {
    dropCharts();
    const status = byId('status');
    status.classList.remove('error');
    status.textContent = (source.live ? '' : 'Report: ') + 'window ' + data.window + ', as of ' + when(data.generated_at);
    byId('footer').textContent =
      (source.live ? 'Served by agentmetricsd' : 'Written by agentmetrics report') + ' at ' + when(data.generated_at) + '. Charts: uPlot (MIT licence).';
    renderAlerts(data);
    renderKpis(data);
    renderUsage(data);
    renderTasks(data, source);
    renderPlaybook(data, source);
    renderReflections(data);
    if (source.live) {
      const select = byId('window');
      const offered = [...new Set((data.windows || []).concat([data.window]))];
      clear(select);
      for (const w of offered) select.append(el('option', { value: w, selected: w === data.window, text: w }));
      byId('window-choice').hidden = false;
    }
  }

  function load(source, window) {
    return source.overview(window).then(
      (data) => render(data, source),
      (error) => {
        const status = byId('status');
        status.classList.add('error');
        status.textContent = 'Could not load the figures: ' + (error.message || error);
      }
    );
  }

  function start() {
    const embedded = byId('am-data');
    const source = embedded ? reportSource(JSON.parse(embedded.textContent)) : liveSource();
    setUpDialog();
    byId('window').addEventListener('change', (event) => load(source, event.target.value));
    load(source, null).then(() => document.documentElement.setAttribute('data-loaded', 'true'));
  }

  start();
})();
