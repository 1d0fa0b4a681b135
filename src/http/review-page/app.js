// kycgate review page client: log in with an API key (sessionStorage), the queue, the case view, decisions, audit log.
'use strict';
(function reviewPage() {
  const KEY = 'kycgate.apiKey';
  const $ = (sel) => document.querySelector(sel);
  const state = { page: 1, pageSize: 25, me: null, current: null };

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') node.className = v;
      else if (k.startsWith('data-')) node.setAttribute(k, v);
      else node[k] = v;
    }
    for (const c of children) if (c !== null && c !== undefined) node.append(c instanceof Node ? c : String(c));
    return node;
  }

  async function api(path, options) {
    const key = sessionStorage.getItem(KEY);
    const res = await fetch(path, {
      ...options,
      headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json', ...(options && options.headers) },
    });
    if (res.status === 401) {
      logout('Your key was not accepted.');
      throw new Error('unauthorized');
    }
    const type = res.headers.get('content-type') || '';
    const body = /application\/(problem\+)?json/.test(type) ? await res.json() : await res.text();
    if (!res.ok) throw Object.assign(new Error((body && body.detail) || res.statusText), { status: res.status, body });
    return body;
  }

  function show(id) {
    for (const s of ['#queue', '#case', '#audit']) $(s).hidden = s !== id;
  }

  function age(iso) {
    const ms = Date.now() - Date.parse(iso);
    const h = Math.floor(ms / 3.6e6);
    return h >= 48 ? `${Math.floor(h / 24)} d` : h >= 1 ? `${h} h` : `${Math.max(0, Math.floor(ms / 60000))} min`;
  }

  // ---- login ----
  async function login(key) {
    sessionStorage.setItem(KEY, key);
    try {
      state.me = await api('/v1/whoami');
    } catch (err) {
      sessionStorage.removeItem(KEY);
      $('#login-error').textContent = 'That key was not accepted.';
      return;
    }
    $('#login').hidden = true;
    $('#app').hidden = false;
    $('#logout').hidden = false;
    $('#who').textContent = `${state.me.name} (${state.me.role})`;
    $('#show-audit').hidden = state.me.role !== 'admin';
    await loadQueue();
  }

  function logout(message) {
    sessionStorage.removeItem(KEY);
    state.me = null;
    $('#app').hidden = true;
    $('#logout').hidden = true;
    $('#who').textContent = '';
    $('#login').hidden = false;
    $('#login-error').textContent = message || '';
  }

  // ---- queue ----
  async function loadQueue() {
    const q = new URLSearchParams({ sort: $('#f-sort').value, page: String(state.page), pageSize: String(state.pageSize) });
    if ($('#f-status').value) q.set('status', $('#f-status').value);
    if ($('#f-list').value.trim()) q.set('list', $('#f-list').value.trim().toUpperCase());
    if ($('#f-mine').checked && state.me) q.set('assignee', state.me.id);
    const data = await api(`/v1/cases?${q}`);
    const tbody = $('#queue-table tbody');
    tbody.replaceChildren(
      ...data.items.map((c) =>
        el(
          'tr',
          { class: 'case-row', 'data-case': c.id, onclick: () => openCase(c.id) },
          el('td', {}, c.customerName, el('br'), el('small', {}, c.customerId)),
          el('td', {}, c.matchedName || c.reasonCode || ''),
          el('td', {}, c.list ? `${c.list} ${c.sourceId}` : c.reasonCode),
          el('td', {}, c.score === null ? '' : c.score.toFixed(2)),
          el('td', { class: `level-${c.level}` }, c.level),
          el('td', {}, c.status + (c.proposal ? ' (clearance proposed)' : '')),
          el('td', {}, age(c.openedAt)),
        ),
      ),
    );
    if (data.items.length === 0) tbody.append(el('tr', {}, el('td', { colSpan: 7 }, 'No cases.')));
    $('#counts').replaceChildren(...Object.entries(data.counts).map(([k, v]) => el('span', { class: `count-${k}` }, `${k}: ${v}`)));
    const pages = Math.max(1, Math.ceil(data.total / state.pageSize));
    $('#page').textContent = `page ${state.page} of ${pages} (${data.total} cases)`;
    $('#prev').disabled = state.page <= 1;
    $('#next').disabled = state.page >= pages;
    show('#queue');
  }

  // ---- case view ----
  const norm = (s) => String(s || '').normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, '');

  /** The name with every word that a score piece matched wrapped in <mark>. */
  function highlighted(name, tokens) {
    const frag = document.createDocumentFragment();
    for (const part of String(name || '').split(/(\s+)/)) {
      if (part.trim() && tokens.has(norm(part))) frag.append(el('mark', {}, part));
      else frag.append(part);
    }
    return frag;
  }

  function dl(pairs) {
    const d = el('dl');
    for (const [k, v] of pairs) if (v !== undefined && v !== null && v !== '') d.append(el('dt', {}, k), el('dd', {}, v));
    return d;
  }

  async function openCase(id) {
    const data = await api(`/v1/cases/${encodeURIComponent(id)}`);
    state.current = data;
    const c = data.case;
    const hit = c.hit;
    const cust = data.customer.asScreened || data.customer.latest || {};
    $('#case-title').textContent = `${c.list ? `${c.list} ${c.sourceId}` : c.reasonCode} — ${cust.name || c.customerId}`;
    $('#case-meta').textContent = `status ${c.status}${c.proposal ? ` · clearance proposed by ${c.proposal.byName}` : ''} · level ${c.level} · opened ${age(c.openedAt)} ago · assignee ${c.assigneeName || '—'} · version ${c.version}`;
    const pieces = (hit && hit.pieces) || [];
    const qTokens = new Set(pieces.filter((p) => p.similarity > 0 && p.query).flatMap((p) => p.query.split(/\s+/).map(norm)));
    const eTokens = new Set(pieces.filter((p) => p.similarity > 0 && p.entry).flatMap((p) => p.entry.split(/\s+/).map(norm)));
    const addr = cust.address ? [cust.address.line1, cust.address.city, cust.address.country].filter(Boolean).join(', ') : '';
    $('#customer-panel .body').replaceChildren(
      dl([
        ['Name', hit ? highlighted(hit.subject === 'customer' ? cust.name : hit.queryName, qTokens) : cust.name],
        ['Screened party', hit ? `${hit.subject}: ${hit.queryName}` : c.subject],
        ['Customer id', c.customerId],
        ['Type', cust.type || 'organization'],
        ['Country', cust.country],
        ['Aliases', (cust.aliases || []).join('; ')],
        ['Address', addr],
        ['Parents', (cust.parents || []).map((p) => `${p.name}${p.country ? ` (${p.country})` : ''}${p.ownership !== undefined ? ` ${Math.round(p.ownership * 100)}%` : ''}`).join('; ')],
      ]),
    );
    const entry = data.entry;
    $('#entry-panel .body').replaceChildren(
      hit
        ? dl([
            ['Name', highlighted(hit.primaryName, eTokens)],
            ['Matched name', highlighted(hit.matchedName, eTokens)],
            ['List', `${hit.list} ${hit.sourceId}`],
            ['Type', hit.entityType],
            ['Programs', (hit.programs || []).join(', ')],
            ['Score', hit.score.toFixed(3)],
            ['Country', hit.features && hit.features.country],
            ['Addresses', entry ? entry.addresses.map((a) => a.raw).join(' | ') : ''],
            ['Remarks', entry ? entry.remarks : ''],
          ])
        : dl([
            ['Reason', c.reasonCode],
            ['Detail', c.reason && c.reason.detail],
          ]),
    );
    $('#pieces tbody').replaceChildren(
      ...pieces.map((p) =>
        el('tr', {}, el('td', {}, p.kind), el('td', {}, p.query), el('td', {}, p.entry), el('td', {}, Number(p.similarity).toFixed(2)), el('td', {}, Number(p.weight).toFixed(2))),
      ),
    );
    $('#reasons').replaceChildren(...((data.screening && data.screening.reasons) || []).map((r) => el('li', {}, `${r.code} (${r.outcome}) ${r.subject || ''}: ${r.detail}`)));
    $('#history').replaceChildren(
      ...data.events.map((e) =>
        el('li', {}, `${e.at} · ${e.actorName} · ${e.action}${e.toStatus && e.toStatus !== e.fromStatus ? ` → ${e.toStatus}` : ''}${e.detail && e.detail.reason ? ` · “${e.detail.reason}”` : ''}`),
      ),
    );
    $('#reason').value = '';
    $('#decide-msg').textContent = '';
    const closed = c.status === 'cleared' || c.status === 'confirmed';
    for (const b of document.querySelectorAll('#decide button')) b.disabled = closed;
    show('#case');
  }

  async function decide(decision) {
    const c = state.current.case;
    const reason = $('#reason').value.trim();
    if (reason.length < 3) {
      $('#decide-msg').textContent = 'A decision needs a reason.';
      return;
    }
    try {
      const res = await api(`/v1/cases/${encodeURIComponent(c.id)}/decision`, { method: 'POST', body: JSON.stringify({ decision, reason, version: c.version }) });
      if (res.proposal) {
        $('#decide-msg').textContent = 'Clearance proposed: a second officer must confirm it.';
        await openCase(c.id);
        $('#decide-msg').textContent = 'Clearance proposed: a second officer must confirm it.';
        return;
      }
      await loadQueue();
    } catch (err) {
      $('#decide-msg').textContent = err.status === 409 ? `${err.message}` : `Failed: ${err.message}`;
    }
  }

  async function loadAudit() {
    const text = await api('/v1/audit');
    const rows = String(text).trim() ? String(text).trim().split('\n').map((l) => JSON.parse(l)) : [];
    $('#audit-table tbody').replaceChildren(
      ...rows.reverse().slice(0, 500).map((r) => el('tr', {}, el('td', {}, r.seq), el('td', {}, r.at), el('td', {}, r.actor), el('td', {}, r.action), el('td', {}, r.target || ''))),
    );
    show('#audit');
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('#login-form').addEventListener('submit', (ev) => {
      ev.preventDefault();
      login($('#api-key').value.trim());
    });
    $('#logout').addEventListener('click', () => logout());
    $('#filters').addEventListener('submit', (ev) => {
      ev.preventDefault();
      state.page = 1;
      loadQueue();
    });
    $('#prev').addEventListener('click', () => {
      state.page -= 1;
      loadQueue();
    });
    $('#next').addEventListener('click', () => {
      state.page += 1;
      loadQueue();
    });
    $('#back').addEventListener('click', () => loadQueue());
    $('#decide').addEventListener('submit', (ev) => {
      ev.preventDefault();
      decide(ev.submitter && ev.submitter.dataset.decision);
    });
    $('#assign').addEventListener('click', async () => {
      const c = state.current.case;
      try {
        await api(`/v1/cases/${encodeURIComponent(c.id)}/assign`, { method: 'POST', body: JSON.stringify({ version: c.version }) });
        await openCase(c.id);
      } catch (err) {
        $('#decide-msg').textContent = err.message;
      }
    });
    $('#show-audit').addEventListener('click', () => loadAudit());
    const key = sessionStorage.getItem(KEY);
    if (key) login(key);
    else logout();
  });
})();
