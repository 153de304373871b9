// Progressive enhancement of the search page; everything works without it.
// - "复制引用" buttons copy a citation (they stay hidden without JavaScript).
// - The "/" key focuses the search box.
// - Empty year and date fields are left out of the URL.
// - After Back or Forward, the forms show the URL's state again.
(function () {
  'use strict';

  var live = document.getElementById('live');
  function announce(msg) {
    if (!live) return;
    live.textContent = '';
    window.setTimeout(function () { live.textContent = msg; }, 50);
  }

  // Fallback for pages not in a secure context (no navigator.clipboard).
  function copyBySelection(text) {
    var ta = document.createElement('textarea');
    ta.value = text;
    ta.setAttribute('readonly', '');
    ta.className = 'offscreen';
    document.body.appendChild(ta);
    ta.select();
    var ok = false;
    try { ok = document.execCommand('copy'); } catch (e) { ok = false; }
    document.body.removeChild(ta);
    return ok;
  }

  function copied(button, ok) {
    var label = button.getAttribute('data-label') || button.textContent;
    button.setAttribute('data-label', label);
    button.textContent = ok ? '已复制' : '复制失败';
    announce(ok ? '引用已复制到剪贴板' : '无法复制，请手动选择引用文字');
    window.setTimeout(function () { button.textContent = label; }, 1600);
  }

  Array.prototype.forEach.call(document.querySelectorAll('button.copy[data-copy]'), function (button) {
    button.hidden = false;
    button.addEventListener('click', function () {
      var text = button.getAttribute('data-copy');
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(text).then(
          function () { copied(button, true); },
          function () { copied(button, copyBySelection(text)); });
      } else {
        copied(button, copyBySelection(text));
      }
    });
  });

  document.addEventListener('keydown', function (e) {
    if (e.key !== '/' || e.ctrlKey || e.metaKey || e.altKey) return;
    var t = e.target;
    if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName))) return;
    var q = document.getElementById('q');
    if (!q) return;
    e.preventDefault();
    q.focus();
    q.select();
  });

  Array.prototype.forEach.call(document.querySelectorAll('form.years'), function (form) {
    form.addEventListener('submit', function () {
      Array.prototype.forEach.call(form.querySelectorAll('input[type=number], input[type=date]'), function (input) {
        if (input.value === '') input.disabled = true;
      });
    });
  });

  // Coming back (Back, Forward) to a page kept in the history cache: the
  // forms must show the state of the page's URL, as the server wrote it,
  // not what was typed before leaving (a year typed, then removed with a
  // chip, must not come back), and the fields disabled on submit must work
  // again. reset() restores every field to its value attribute.
  window.addEventListener('pageshow', function (e) {
    Array.prototype.forEach.call(document.querySelectorAll('form input[disabled]'), function (input) {
      input.disabled = false;
    });
    if (e.persisted) {
      Array.prototype.forEach.call(document.forms, function (form) { form.reset(); });
    }
  });

  // Opened at a highlighted paragraph without its #anchor: scroll to it.
  var hit = document.querySelector('.para.hit');
  if (hit && !window.location.hash) hit.scrollIntoView({ block: 'center' });
})();
