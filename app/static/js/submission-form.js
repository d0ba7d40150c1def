// The submission form: a copy of what is typed is kept in this browser (localStorage)
// until the server has it, so text survives a closed tab and an expired session.
// The form works without this script (and without htmx): it only adds safety.
(function () {
  "use strict";
  var form = document.getElementById("submission-form");
  if (!form || !window.localStorage) { return; }
  var key = "barnratt-draft-" + form.getAttribute("data-submission-id");
  var SKIP = { csrf_token: true, version: true, preview: true };

  function snapshot() {
    var values = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP[el.name] || el.type === "submit" || el.type === "button") { return; }
      if (el.type === "checkbox") {
        if (!values[el.name]) { values[el.name] = []; }
        if (el.checked) { values[el.name].push(el.value); }
      } else {
        values[el.name] = el.value;
      }
    });
    return values;
  }

  function read() {
    try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }

  function write(record) {
    try { localStorage.setItem(key, JSON.stringify(record)); } catch (e) { /* storage full or blocked */ }
  }

  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function apply(values) {
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !(el.name in values) || SKIP[el.name]) { return; }
      var value = values[el.name];
      if (el.type === "checkbox") {
        el.checked = Array.isArray(value) && value.indexOf(el.value) !== -1;
      } else if (typeof value === "string") {
        el.value = value;
      }
    });
  }

  function keep() {
    write({ savedAt: Date.now(), synced: false, fields: snapshot() });
  }

  function showSessionNotice(kind) {
    var box = document.getElementById("session-notice");
    if (!box) { return; }
    box.querySelector(".session-text").textContent = box.getAttribute("data-" + kind) || "";
    if (box.hidden) { box.hidden = false; }
  }

  // Restore unsaved text on load: a backup that the server never confirmed wins.
  var stored = read();
  var current = snapshot();
  if (stored && stored.fields && !stored.synced && !same(stored.fields, current)) {
    apply(stored.fields);
    var notice = document.getElementById("restore-notice");
    if (notice) { notice.hidden = false; }
    // Save it to the server too (when logged in) through the usual autosave, once htmx
    // (loaded after this script) has set up the form.
    document.addEventListener("DOMContentLoaded", function () {
      window.setTimeout(function () { form.dispatchEvent(new Event("change", { bubbles: true })); }, 0);
    });
  } else {
    write({ savedAt: Date.now(), synced: true, fields: current });
  }

  var discard = document.getElementById("discard-restored");
  if (discard) {
    discard.addEventListener("click", function () {
      localStorage.removeItem(key);
      window.location.reload();
    });
  }

  form.addEventListener("input", keep);
  form.addEventListener("change", keep);

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt === form) { form.setAttribute("data-sending", JSON.stringify(snapshot())); }
  });
  document.body.addEventListener("htmx:afterRequest", function (event) {
    if (event.detail.elt !== form) { return; }
    var status = event.detail.xhr ? event.detail.xhr.status : 0;
    if (event.detail.successful) {
      var sent = form.getAttribute("data-sending");
      var record = read();
      if (record && sent && JSON.stringify(record.fields) === sent) {
        record.synced = true;
        write(record);
      }
      var box = document.getElementById("session-notice");
      if (box) { box.hidden = true; }
    } else if (status === 401 || status === 403) {
      showSessionNotice("expired");
    } else if (status === 409) {
      showSessionNotice("stale");
    }
  });

  // Keep aria-invalid in step with the error texts that autosave swaps in.
  document.body.addEventListener("htmx:oobAfterSwap", function (event) {
    var target = event.detail.target;
    if (!target || !target.id || target.id.indexOf("err-") !== 0) { return; }
    var control = document.getElementById("f-" + target.id.slice(4));
    if (!control) { return; }
    if (target.textContent.trim()) { control.setAttribute("aria-invalid", "true"); }
    else { control.removeAttribute("aria-invalid"); }
  });

  // A full-page save or submit: the page that comes back shows the server's state; if the
  // post fails (logged out), the unsynced copy is still here.
  form.addEventListener("submit", keep);
})();
