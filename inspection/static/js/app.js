// Small progressive enhancements; every page works without them.
(function () {
  "use strict";

  // Show thumbnails of the photos chosen in a file input, so the inspector sees what will go.
  function previewPhotos(input) {
    var box = input.parentNode.parentNode.querySelector(".photo-input-preview");
    if (!box) {
      box = document.createElement("div");
      box.className = "photo-input-preview";
      box.setAttribute("aria-live", "polite");
      input.parentNode.insertAdjacentElement("afterend", box);
    }
    box.textContent = "";
    var status = input.parentNode.querySelector(".photo-picker__status");
    if (status) {
      var count = (input.files || []).length;
      // The one-photo form is its own text (English says "photo", not "photos").
      status.textContent = count === 1 && status.dataset.one ? status.dataset.one
        : count ? status.dataset.some.replace("{n}", count) : status.dataset.none;
    }
    Array.prototype.forEach.call(input.files || [], function (file) {
      if (!/^image\//.test(file.type)) { return; }
      var img = document.createElement("img");
      img.alt = file.name;
      img.src = URL.createObjectURL(file);
      img.onload = function () { URL.revokeObjectURL(img.src); };
      box.appendChild(img);
    });
  }

  // Disable a form's submit buttons once it is sent, so a double tap does not send it twice.
  function guardSubmit(form) {
    form.addEventListener("submit", function () {
      if (form.dataset.sent) { return; }
      form.dataset.sent = "1";
      Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (b) {
        b.setAttribute("aria-busy", "true");
        window.setTimeout(function () { b.disabled = true; }, 0);
      });
    });
  }

  // Answer a checklist item with one tap: saved at once, the page stays where it is.
  function answerInPlace(form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.FormData) { return; }
      event.preventDefault();
      var data = new FormData(form);
      if (event.submitter && event.submitter.name) {
        data.set(event.submitter.name, event.submitter.value);
      }
      var item = form.closest("[data-item]");
      item.setAttribute("aria-busy", "true");
      fetch(form.action, {
        method: "POST",
        body: data,
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (reply) {
        item.removeAttribute("aria-busy");
        showStatus(item, reply.ok ? "" : reply.body.error || "");
        if (!reply.ok) { return; }
        updateItem(item, form, reply.body, event.submitter);
      }).catch(function () {
        item.removeAttribute("aria-busy");
        form.dataset.sent = "";
        Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (b) {
          b.disabled = false;
          b.removeAttribute("aria-busy");
        });
        var list = item.closest("[data-save-failed]");
        showStatus(item, list ? list.dataset.saveFailed : "!");
      });
    });
  }

  function showStatus(item, message) {
    var box = item.querySelector(".item__status");
    if (!box) {
      box = document.createElement("p");
      box.className = "item__status";
      box.setAttribute("role", "alert");
      item.appendChild(box);
    }
    box.textContent = message;
    box.hidden = !message;
  }

  function updateItem(item, form, body, submitter) {
    Array.prototype.forEach.call(form.querySelectorAll("button.answer"), function (button) {
      var pressed = (button.name === "result" && button.value === body.result) ||
        (submitter && button === submitter && button.name === "choice");
      button.setAttribute("aria-pressed", pressed ? "true" : "false");
    });
    Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (b) {
      b.disabled = false;
      b.removeAttribute("aria-busy");
    });
    form.dataset.sent = "";
    item.classList.toggle("item--fail", body.result === "fail");
    var raise = item.querySelector(".raise-hazard");
    if (raise) { raise.hidden = body.result !== "fail"; }
    var progress = body.progress;
    var answered = document.querySelector("[data-progress=answered]");
    var failed = document.querySelector("[data-progress=failed]");
    var bar = document.querySelector("[data-progress=bar]");
    if (answered) { answered.textContent = progress.answered; }
    if (failed) { failed.textContent = progress.failed; }
    if (bar) { bar.value = progress.answered; bar.max = progress.total; }
  }

  // Count the characters of a limited text field as they are typed, and say plainly when there
  // are too many: the text is never cut, the server refuses it with the same message.
  function countCharacters(counter) {
    var input = document.getElementById(counter.dataset.counterFor);
    if (!input) { return; }
    var max = Number(input.dataset.maxlength);
    function update() {
      var length = input.value.length;
      var over = length > max;
      counter.textContent = over
        ? counter.dataset.over.replace("{over}", length - max).replace("{max}", max)
        : counter.dataset.count.replace("{n}", length).replace("{max}", max);
      counter.classList.toggle("counter--over", over);
      if (over) { input.setAttribute("aria-invalid", "true"); }
      else if (!input.closest(".field--error")) { input.removeAttribute("aria-invalid"); }
    }
    input.addEventListener("input", update);
    update();
  }

  // Back, then Save: the browser shows the form again as it was typed, but fetched anew, with a
  // new one-time key. The same content sent again from this address keeps the key it was sent
  // with, so the server answers "already saved" instead of making a second record.
  function keepFormKey(form) {
    var key = form.querySelector("input[name=form_key]");
    var store = null;
    try { store = window.sessionStorage; } catch (ignore) { store = null; }
    if (!key || !store) { return; }
    var slot = "form-key:" + location.pathname + location.search;
    function fingerprint() {
      return ["title", "description", "location", "item_id"].map(function (name) {
        var control = form.elements.namedItem(name);
        return control && control.value ? control.value.trim() : "";
      }).join("\u0001");
    }
    form.addEventListener("submit", function () {
      var print = fingerprint();
      var before = null;
      try { before = JSON.parse(store.getItem(slot) || "null"); } catch (ignore) { before = null; }
      if (before && before.print === print && before.key) { key.value = before.key; }
      store.setItem(slot, JSON.stringify({ key: key.value, print: print }));
    }, true);
  }

  // The bar's menus are <details>: one open at a time; Escape or a tap elsewhere closes it.
  function navMenus() {
    var menus = document.querySelectorAll(".nav-menu");
    function closeAll(except) {
      Array.prototype.forEach.call(menus, function (menu) {
        if (menu !== except) { menu.open = false; }
      });
    }
    Array.prototype.forEach.call(menus, function (menu) {
      menu.addEventListener("toggle", function () { if (menu.open) { closeAll(menu); } });
      menu.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && menu.open) {
          menu.open = false;
          menu.querySelector("summary").focus();
        }
      });
    });
    document.addEventListener("click", function (event) {
      if (!event.target.closest(".nav-menu")) { closeAll(null); }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    navMenus();
    Array.prototype.forEach.call(document.querySelectorAll("[data-counter-for]"), countCharacters);
    Array.prototype.forEach.call(document.querySelectorAll("form"), keepFormKey);
    Array.prototype.forEach.call(document.querySelectorAll("form.answer-form"), answerInPlace);
    var current = document.querySelector(".section-tabs [aria-current=page]");
    if (current) { current.scrollIntoView({ block: "nearest", inline: "center" }); }
    // Inputs that upload as they are chosen show their photos in photos.js's tiles instead.
    Array.prototype.forEach.call(document.querySelectorAll("input.photo-input:not([data-upload-url])"), function (input) {
      input.addEventListener("change", function () { previewPhotos(input); });
    });
    Array.prototype.forEach.call(
      document.querySelectorAll("form[method=post]:not(.answer-form)"), guardSubmit);
  });
})();

// Report jobs: poll the status while the scheduler builds the PDF, then show the download.
(function () {
  const box = document.querySelector('.report-job[data-poll]');
  if (!box) return;
  const stage = box.querySelector('.report-job__stage');
  const bar = box.querySelector('progress');
  const ready = box.querySelector('.report-job__ready');
  const waiting = box.querySelector('.report-job__waiting');
  async function poll() {
    try {
      const response = await fetch(box.dataset.poll, { headers: { Accept: 'application/json' } });
      if (!response.ok) throw new Error(String(response.status));
      const state = await response.json();
      bar.value = state.progress;
      stage.textContent = state.status === 'failed' ? state.error || state.stage : state.stage;
      waiting.hidden = !state.waiting_too_long;
      if (state.status === 'done') {
        ready.querySelector('a').href = state.download;
        ready.hidden = false;
        return;
      }
      if (state.status === 'failed') return;
    } catch (error) {
      // A dropped connection: keep trying.
    }
    setTimeout(poll, 2000);
  }
  if (box.dataset.status !== 'done' && box.dataset.status !== 'failed') setTimeout(poll, 1000);
})();

// Idle sessions end on the server; warn before that, so nothing typed is lost. Typing,
// tapping or "stay logged in" tells the server the user is still here.
(function () {
  const box = document.querySelector('.idle-warning');
  if (!box) return;
  const idle = Number(box.dataset.idleSeconds) * 1000;
  const warning = Number(box.dataset.warningSeconds) * 1000;
  const token = document.querySelector('meta[name="csrf-token"]');
  let lastSeen = Date.now();
  let lastPing = Date.now();
  let timer = null;
  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(function () { box.hidden = false; }, Math.max(0, idle - warning - (Date.now() - lastSeen)));
  }
  async function ping() {
    lastPing = Date.now();
    try {
      const response = await fetch(box.dataset.keepalive, {
        method: 'POST',
        headers: { 'X-CSRFToken': token ? token.content : '', Accept: 'application/json' },
        credentials: 'same-origin',
      });
      if (response.ok) { lastSeen = Date.now(); box.hidden = true; schedule(); }
    } catch (error) {
      // Offline: the warning stays; the next tap tries again.
    }
  }
  box.querySelector('.idle-warning__stay').addEventListener('click', ping);
  ['input', 'keydown', 'pointerdown'].forEach(function (name) {
    document.addEventListener(name, function () {
      // At most once a minute: enough for a half-hour limit, light on the server.
      if (box.hidden && Date.now() - lastPing > 60000) ping();
    }, { passive: true });
  });
  schedule();
})();
