// Completions while typing in the search box, as an ARIA 1.2 combobox
// (a text input controlling a listbox): the last word being typed is sent
// to /api/suggest and the answers are listed under the box. Arrow keys
// move through them, Enter takes one, Escape closes the list. A word or a
// named initiative replaces the word typed and searches; a county or a
// program becomes a filter. Without JavaScript the form is a plain form.
(function () {
  'use strict';

  var input = document.getElementById('q');
  if (!input || !input.form || !window.fetch) return;
  var form = input.form;
  var live = document.getElementById('live');
  var KIND = { word: '词', initiative: '名称', county: '县区', program: '项目' };

  var list = document.createElement('ul');
  list.id = 'q-suggest';
  list.className = 'suggest-list';
  list.setAttribute('role', 'listbox');
  list.setAttribute('aria-label', '检索建议');
  list.hidden = true;
  input.parentNode.appendChild(list);
  input.setAttribute('role', 'combobox');
  input.setAttribute('aria-autocomplete', 'list');
  input.setAttribute('aria-expanded', 'false');
  input.setAttribute('aria-controls', list.id);

  var items = [];
  var active = -1;
  var timer = 0;
  var seq = 0;

  // The word being typed: what follows the last space.
  function lastWord() {
    var v = input.value;
    var i = Math.max(v.lastIndexOf(' '), v.lastIndexOf('\u3000'));
    return { head: v.slice(0, i + 1), word: v.slice(i + 1) };
  }

  function close() {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function render(cs) {
    list.textContent = '';
    items = cs;
    active = -1;
    cs.forEach(function (c, i) {
      var li = document.createElement('li');
      li.id = 'q-opt-' + i;
      li.setAttribute('role', 'option');
      li.setAttribute('aria-selected', 'false');
      li.setAttribute('data-kind', c.kind);
      var text = document.createElement('span');
      text.className = 'opt-text';
      text.textContent = c.text;
      var meta = document.createElement('span');
      meta.className = 'opt-meta';
      meta.textContent = (KIND[c.kind] || c.kind) + ' · ' + c.count + ' 段';
      li.appendChild(text);
      li.appendChild(meta);
      // mousedown, not click: the box must not lose focus first.
      li.addEventListener('mousedown', function (e) {
        e.preventDefault();
        choose(i);
      });
      list.appendChild(li);
    });
    if (cs.length === 0) {
      close();
      return;
    }
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    if (live) live.textContent = cs.length + ' 条建议，用上下方向键选择';
  }

  function move(d) {
    if (list.hidden || items.length === 0) return;
    if (active >= 0) list.children[active].setAttribute('aria-selected', 'false');
    active = ((active + 1 + d + items.length + 1) % (items.length + 1)) - 1; // -1: back in the box
    if (active < 0) {
      input.removeAttribute('aria-activedescendant');
      return;
    }
    var li = list.children[active];
    li.setAttribute('aria-selected', 'true');
    input.setAttribute('aria-activedescendant', li.id);
    li.scrollIntoView({ block: 'nearest' });
  }

  function choose(i) {
    var c = items[i];
    var parts = lastWord();
    close();
    if (c.kind === 'county' || c.kind === 'program') {
      var h = document.createElement('input');
      h.type = 'hidden';
      h.name = c.kind;
      h.value = c.text;
      form.appendChild(h);
      input.value = parts.head.replace(/\s+$/, '');
    } else {
      input.value = parts.head + c.query;
    }
    if (form.requestSubmit) form.requestSubmit(); else form.submit();
  }

  function ask() {
    var w = lastWord().word;
    var mine = ++seq;
    if (w === '') {
      close();
      return;
    }
    fetch('/api/suggest?size=8&q=' + encodeURIComponent(w), { headers: { Accept: 'application/json' } })
      .then(function (r) { return r.ok ? r.json() : { completions: [] }; })
      .then(function (body) {
        if (mine === seq && document.activeElement === input) render(body.completions || []);
      })
      .catch(function () { if (mine === seq) close(); });
  }

  input.addEventListener('input', function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(ask, 120);
  });
  input.addEventListener('keydown', function (e) {
    if (e.isComposing) return; // an input method is composing: its keys are its own
    switch (e.key) {
      case 'ArrowDown':
        if (list.hidden) { ask(); } else { move(1); }
        e.preventDefault();
        break;
      case 'ArrowUp':
        if (!list.hidden) { move(-1); e.preventDefault(); }
        break;
      case 'Enter':
        if (!list.hidden && active >= 0) { e.preventDefault(); choose(active); }
        break;
      case 'Escape':
        if (!list.hidden) { e.preventDefault(); close(); }
        break;
    }
  });
  input.addEventListener('blur', function () { window.setTimeout(close, 100); });
})();
