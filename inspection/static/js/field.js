// The field app: a day's inspections that keep working without signal.
//
// "Prepare for offline" downloads the day's inspections with their enterprises and checklist
// versions into IndexedDB, and the service worker keeps the page and its files. Answers, hazards,
// photos and signatures are then kept on the tablet as records, each with an id made here, and
// sent when there is signal: photos in resumable pieces first, then the records in order. The
// server answers each record (accepted, rejected with the reason, or retry); the tablet shows
// every outcome and drops nothing by itself: a refused record is announced until the inspector has
// read why, and stays listed on its inspection, photos and all, while that inspection is in hand.
(function () {
  "use strict";

  const root = document.getElementById("field-app");
  if (!root) return;
  const T = JSON.parse(document.getElementById("field-texts").textContent);
  const API = root.dataset.api;
  const view = document.getElementById("field-view");
  const PIECE = 256 * 1024;

  function fmt(template, values) {
    return template.replace(/\{(\w+)\}/g, (all, key) => (key in values ? values[key] : all));
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([key, value]) => {
      if (value === null || value === undefined || value === false) return;
      if (key === "text") node.textContent = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else node.setAttribute(key, value === true ? "" : value);
    });
    (children || []).forEach((child) => {
      if (child === null || child === undefined || child === false) return;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    });
    return node;
  }

  function uuid() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  function localTime(iso) {
    return new Date(iso).toLocaleString(root.dataset.locale || "zh-CN", {
      month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
    });
  }

  function today(offsetDays) {
    const day = new Date(Date.now() + (offsetDays || 0) * 86400000);
    const local = new Date(day.getTime() - day.getTimezoneOffset() * 60000);
    return local.toISOString().slice(0, 10);
  }

  // --- IndexedDB: the package, the records made here, and their photos ---------------------

  const database = new Promise((resolve, reject) => {
    const request = indexedDB.open(root.dataset.store, 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("meta");
      db.createObjectStore("records", { keyPath: "id" });
      db.createObjectStore("photos", { keyPath: "id" });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });

  function transact(stores, mode, work) {
    return database.then((db) => new Promise((resolve, reject) => {
      const tx = db.transaction(stores, mode);
      const result = work(tx);
      tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    }));
  }

  const store = {
    get: (name, key) => transact([name], "readonly", (tx) => tx.objectStore(name).get(key)),
    all: (name) => transact([name], "readonly", (tx) => tx.objectStore(name).getAll()),
    put: (name, value, key) => transact([name], "readwrite", (tx) => {
      tx.objectStore(name).put(value, key);
    }),
    remove: (name, key) => transact([name], "readwrite", (tx) => { tx.objectStore(name).delete(key); }),
    // A record and its photos are kept together or not at all.
    keep: (record, photos) => transact(["records", "photos"], "readwrite", (tx) => {
      (photos || []).forEach((photo) => tx.objectStore("photos").put(photo));
      tx.objectStore("records").put(record);
    }),
  };

  let pkg = null;
  let records = [];
  let photos = [];
  // Whether the browser promised to keep this site's data (null: it cannot say).
  let storageKept = null;

  async function load() {
    pkg = (await store.get("meta", "package")) || null;
    records = (await store.all("records")).sort((a, b) => a.seq - b.seq);
    photos = await store.all("photos");
  }

  function nextSeq() {
    return records.reduce((max, record) => Math.max(max, record.seq), 0) + 1;
  }

  function newRecord(kind, body) {
    const id = uuid();
    return {
      id, kind, seq: nextSeq(), state: "pending", created_at: new Date().toISOString(),
      body: Object.assign({ kind, id }, body),
    };
  }

  async function keep(record, newPhotos) {
    await store.keep(record, newPhotos);
    await refresh();
  }

  // After a change kept on the tablet: show it, and send it when there is signal.
  async function refresh() {
    await load();
    render(true);
    scheduleSync();
  }

  // --- What the tablet knows: the package overlaid with the records made here ---------------

  function inspectionOf(id) {
    return pkg && pkg.inspections.find((inspection) => inspection.id === id);
  }

  function checklistOf(id) {
    return pkg && pkg.checklists.find((checklist) => checklist.id === id);
  }

  function itemsOf(inspection) {
    const items = [];
    inspection.checklists.forEach((id) => {
      const checklist = checklistOf(id);
      if (checklist) checklist.sections.forEach((section) => items.push(...section.items));
    });
    return items;
  }

  function live(record) {
    return record.state !== "rejected";
  }

  function answerOf(inspection, item) {
    const mine = records.filter((r) => r.kind === "answer" && live(r) &&
      r.body.inspection === inspection.id && r.body.item === item.id);
    if (mine.length) return Object.assign({ record: mine[mine.length - 1] }, mine[mine.length - 1].body);
    return inspection.answers.find((answer) => answer.item === item.id) || null;
  }

  function serverVersion(inspection, item) {
    const synced = records.filter((r) => r.kind === "answer" && r.state === "accepted" &&
      r.body.inspection === inspection.id && r.body.item === item.id);
    if (synced.length) return synced[synced.length - 1].server_version;
    const known = inspection.answers.find((answer) => answer.item === item.id);
    return known ? known.version : null;
  }

  function resultOf(item, answer) {
    if (!answer) return null;
    if (answer.result === "na") return "na";
    if (item.answer_type === "number" && answer.number !== null && answer.number !== undefined) {
      const low = item.number_min === null ? -Infinity : item.number_min;
      const high = item.number_max === null ? Infinity : item.number_max;
      return answer.number >= low && answer.number <= high ? "pass" : "fail";
    }
    if (item.answer_type === "choice" && answer.choice) {
      return item.fail_choices.includes(answer.choice) ? "fail" : "pass";
    }
    return answer.result || null;
  }

  function completedHere(inspection) {
    return records.some((r) => r.kind === "completion" && live(r) && r.body.inspection === inspection.id);
  }

  function lockedOnServer(inspection) {
    return inspection.status === "completed" ||
      records.some((r) => r.kind === "completion" && r.state === "accepted" && r.body.inspection === inspection.id);
  }

  function locked(inspection) {
    return inspection.status === "completed" || completedHere(inspection);
  }

  function pendingOf(filter) {
    return records.filter((r) => (r.state === "pending" || r.state === "retry") && (!filter || filter(r)));
  }

  // A record may change only until it is first sent: the server answers a resend with what it
  // made of the first copy, so a change after that goes out as a new record.
  function unsentOf(filter) {
    return pendingOf((r) => !r.sent_at && (!filter || filter(r)));
  }

  function photosNamedBy(list) {
    return new Set(list.flatMap((r) => (r.body.photos || []).concat(r.body.after_photos || [])));
  }

  // Photos still to send: those of records still to send (a refused record's photos stay put).
  function pendingPhotos() {
    const named = photosNamedBy(pendingOf());
    return photos.filter((photo) => photo.state === "pending" && named.has(photo.id));
  }

  // --- Rendering ------------------------------------------------------------------------------

  function stateBadge(record) {
    return el("span", { class: `badge sync-badge sync-badge--${record.state}`, text: T[`state_${record.state}`] });
  }

  async function checkStorage() {
    if (!navigator.storage || !navigator.storage.persist) return;
    try {
      storageKept = (await navigator.storage.persisted()) || (await navigator.storage.persist());
    } catch (error) {
      storageKept = null;
    }
    renderPanel();
  }

  function renderPanel() {
    const online = navigator.onLine;
    const connection = root.querySelector("[data-connection]");
    const said = online ? T.online : T.offline;
    if (connection.textContent !== said) connection.textContent = said;
    connection.className = `connection connection--${online ? "online" : "offline"}`;
    const waiting = pendingOf();
    const waitingPhotos = pendingPhotos();
    const status = root.querySelector("[data-pending]");
    status.dataset.pending = String(waiting.length + waitingPhotos.length);
    status.textContent = waiting.length || waitingPhotos.length
      ? fmt(T.pending_some, { records: waiting.length, photos: waitingPhotos.length })
      : T.pending_none;
    const prepared = root.querySelector("[data-prepared]");
    if (!window.isSecureContext || !("indexedDB" in window)) {
      prepared.textContent = T.needs_https;
    } else if (pkg) {
      prepared.textContent = fmt(T.prepared, {
        time: localTime(pkg.prepared_at),
        inspections: pkg.inspections.length,
        checklists: pkg.checklists.length,
        items: pkg.checklists.reduce((n, c) => n + c.sections.reduce((m, s) => m + s.items.length, 0), 0),
      });
    } else {
      prepared.textContent = T.not_prepared;
    }
    // Unsynced work on a browser that may clear the site's data when space runs short: say so.
    const storage = root.querySelector("[data-storage]");
    const atRisk = storageKept === false && waiting.length + waitingPhotos.length > 0;
    storage.hidden = !atRisk;
    storage.textContent = atRisk ? T.storage_not_kept : "";
    const problems = root.querySelector("[data-problems]");
    problems.textContent = "";
    const shown = records.filter((r) => (r.state === "rejected" || (r.state === "accepted" && r.note)) && !r.note_seen);
    if (shown.length) {
      const list = el("ul", { class: "sync-problems", "aria-label": T.problems });
      shown.forEach((record) => {
        const inspection = inspectionOf(record.body.inspection);
        list.append(el("li", { class: `sync-problem sync-problem--${record.state}` }, [
          el("p", {}, [
            el("strong", { text: `${record.state === "rejected" ? T.rejected : T.accepted_note} · ${T[`${record.kind}_kind`]}` }),
            record.body.title ? ` “${record.body.title}”` : "",
            inspection ? ` · ${inspection.enterprise.name}` : "",
          ]),
          el("p", { text: record.reason || record.note }),
          el("button", { type: "button", class: "button", dataset: { action: "dismiss", record: record.id }, text: T.dismiss, "aria-label": `${T.dismiss}：${record.body.title || T[`${record.kind}_kind`]}` }),
        ]));
      });
      problems.append(list);
    }
  }

  function renderHome() {
    const box = el("div", { class: "field-home" });
    if (!pkg) {
      box.append(el("p", { class: "empty card", text: T.not_prepared }));
      return box;
    }
    if (!pkg.inspections.length) box.append(el("p", { class: "empty card", text: T.no_inspections }));
    const list = el("ul", { class: "card-list field-inspections" });
    pkg.inspections.forEach((inspection) => {
      const items = itemsOf(inspection);
      const answered = items.filter((item) => resultOf(item, answerOf(inspection, item))).length;
      const waiting = pendingOf((r) => r.body.inspection === inspection.id).length;
      const hazards = inspection.hazards.length +
        records.filter((r) => r.kind === "hazard" && live(r) && r.body.inspection === inspection.id && r.state !== "accepted").length;
      list.append(el("li", {}, [
        el("a", { class: "task", href: `#/inspection/${inspection.id}` }, [
          el("span", { class: "task__title", text: inspection.enterprise.name }),
          el("span", { class: "task__meta" }, [
            `${inspection.type_label} · ${inspection.planned_date} · `,
            fmt(T.answered, { answered, total: items.length }),
            ` · ${T.hazards} ${hazards}`,
            waiting ? el("span", { class: "badge sync-badge sync-badge--pending", text: `${T.state_pending} ${waiting}` }) : null,
            locked(inspection) ? el("span", { class: "badge", text: T.completed }) : null,
          ]),
        ]),
      ]));
    });
    box.append(list);
    return box;
  }

  function answerButtons(inspection, item, answer, disabled, criteria) {
    const result = resultOf(item, answer);
    const row = el("div", { class: "answer-row", role: "group", "aria-labelledby": `item-text-${item.id}` });
    const pressed = (value) => (result === value ? "true" : "false");
    const tap = (value, label, cls) => el("button", {
      type: "button", class: `answer ${cls}`, "aria-pressed": pressed(value), disabled, id: `answer-${item.id}-${value}`,
      dataset: { action: "answer", item: item.id, result: value }, text: label,
    });
    if (item.answer_type === "number") {
      row.append(
        el("label", { class: "field__label", for: `number-${item.id}`, text: `${T.measured}${item.unit ? `（${item.unit}）` : ""}` }),
        el("input", { id: `number-${item.id}`, inputmode: "decimal", value: answer && answer.number !== null && answer.number !== undefined ? answer.number : "", disabled }),
        el("button", { type: "button", class: "button button--primary", disabled, dataset: { action: "number", item: item.id }, text: T.save }),
      );
    } else if (item.answer_type === "choice") {
      item.choices.forEach((choice) => row.append(el("button", {
        type: "button", class: "answer", disabled,
        "aria-pressed": answer && answer.choice === choice && answer.result !== "na" ? "true" : "false",
        dataset: { action: "choice", item: item.id, choice }, text: choice,
      })));
    } else {
      row.append(tap("pass", criteria ? T.not_present : T.pass, "answer--pass"));
      row.append(tap("fail", criteria ? T.present : T.fail, "answer--fail"));
    }
    row.append(tap("na", T.na, "answer--na"));
    return row;
  }

  function sectionsOf(inspection) {
    const parts = [];
    inspection.checklists.forEach((id) => {
      const checklist = checklistOf(id);
      if (checklist) checklist.sections.forEach((section) => parts.push({ checklist, section }));
    });
    return parts;
  }

  function sectionHref(inspection, itemId) {
    const part = sectionsOf(inspection).find((p) => p.section.items.some((item) => item.id === itemId));
    return `#/inspection/${inspection.id}${part ? `/section/${part.section.id}` : ""}`;
  }

  function renderInspection(id, sectionId) {
    const inspection = inspectionOf(id);
    if (!inspection) return el("p", { class: "empty card", text: T.inspection_missing });
    const closed = locked(inspection);
    const box = el("div", { class: "field-inspection" }, [
      el("p", {}, [el("a", { href: "#/", text: `‹ ${T.back}` })]),
      el("h2", { text: inspection.enterprise.name }),
      el("p", { class: "muted", text: [inspection.type_label, inspection.planned_date, inspection.enterprise.zone, inspection.enterprise.address].filter(Boolean).join(" · ") }),
    ]);
    if (closed) box.append(el("p", { class: "flash flash--success", text: lockedOnServer(inspection) ? T.locked : T.completed_on_device }));
    const parts = sectionsOf(inspection);
    const current = parts.find((part) => part.section.id === sectionId) || parts[0];
    if (parts.length > 1) {
      box.append(el("nav", { class: "section-tabs", "aria-label": T.sections }, parts.map((part) => {
        const done = part.section.items.filter((item) => resultOf(item, answerOf(inspection, item))).length;
        return el("a", {
          class: "section-tab",
          href: `#/inspection/${inspection.id}/section/${part.section.id}`,
          "aria-current": part === current ? "page" : null,
        }, [part.section.title, " ", el("span", { class: "section-tab__count", text: `${done}/${part.section.items.length}` })]);
      })));
    }
    if (current) {
      const { checklist, section: part } = current;
      const section = el("section", { class: "field-checklist", "aria-label": checklist.title }, [
        el("h2", { text: `${checklist.title} · v${checklist.version}` }),
        el("h3", { text: part.title }),
      ]);
      const list = el("ol", { class: "item-list" });
      part.items.forEach((item) => {
        const answer = answerOf(inspection, item);
        const result = resultOf(item, answer);
        const record = answer && answer.record;
        const itemPhotos = record ? photos.filter((p) => (record.body.photos || []).includes(p.id)) : [];
        list.append(el("li", { class: `item card${result === "fail" ? " item--fail" : ""}`, id: `item-${item.id}`, dataset: { item: item.id } }, [
          el("p", { class: "muted mono" }, [item.code, item.major ? el("span", { class: "badge badge--level-major", text: T.major_item }) : null, record && record.state !== "accepted" ? stateBadge(record) : null]),
          el("p", { class: "item__text", id: `item-text-${item.id}`, text: item.text }),
          item.basis ? el("p", { class: "muted item__meta", text: `${T.basis}：${item.basis}` }) : null,
          item.answer_type === "text" ? el("label", { class: "field__label", for: `text-${item.id}`, text: T.what_found }) : null,
          item.answer_type === "text" ? el("textarea", { id: `text-${item.id}`, disabled: closed, maxlength: 4000 }, [answer && answer.text ? answer.text : ""]) : null,
          answerButtons(inspection, item, answer, closed, checklist.kind === "major_hazard_criteria"),
          result && !closed ? el("div", { class: "item__photos" }, [
            ...itemPhotos.map((photo) => thumb(photo)),
            el("label", { class: "photo-picker photo-picker--compact" }, [
              el("input", { type: "file", accept: "image/jpeg,image/png,image/webp", capture: "environment", multiple: true, class: "photo-input", dataset: { action: "item-photo", item: item.id }, "aria-label": `${T.item_photo} ${item.code}` }),
              el("span", { class: "photo-picker__button", "aria-hidden": "true", text: T.item_photo }),
            ]),
          ]) : null,
          itemHazards(inspection, item),
        result === "fail" && !closed ? el("a", { class: "button", href: `#/inspection/${inspection.id}/hazard/${item.id}`, text: T.record_hazard }) : null,
        ]));
      });
      section.append(list);
      const following = parts[parts.indexOf(current) + 1];
      if (following) {
        section.append(el("p", { class: "form-actions" }, [
          el("a", { class: "button button--primary", href: `#/inspection/${inspection.id}/section/${following.section.id}`, text: `${following.section.title} →` }),
        ]));
      }
      box.append(section);
    }
    box.append(renderHazards(inspection, closed));
    if (!closed) {
      box.append(el("p", { class: "form-actions" }, [
        el("a", { class: "button button--large button--primary", href: `#/inspection/${inspection.id}/sign`, text: T.sign_and_complete }),
      ]));
    }
    return box;
  }

  // The hazards already raised from an item, so the inspector does not raise one twice.
  function itemHazards(inspection, item) {
    const mine = records.filter((r) => r.kind === "hazard" && live(r) && r.body.inspection === inspection.id && r.body.item === item.id);
    const known = new Set(mine.map((r) => r.id));
    const titles = inspection.hazards.filter((h) => h.item === item.id && !known.has(h.id)).map((h) => h.title)
      .concat(mine.map((r) => r.body.title));
    if (!titles.length) return null;
    return el("p", { class: "item__hazards" }, [el("strong", { text: `${T.hazards}：` }), titles.join("；")]);
  }

  function thumb(photo) {
    const url = photo.blob ? URL.createObjectURL(photo.blob) : null;
    const image = el("img", { src: url, alt: photo.name || T.item_photo, width: 96, height: 72 });
    if (url) image.onload = () => URL.revokeObjectURL(url);
    return el("span", { class: `field-thumb field-thumb--${photo.state}` }, [image]);
  }

  function renderHazards(inspection, closed) {
    const section = el("section", { class: "field-hazards", "aria-labelledby": "hazards-title" }, [
      el("h2", { id: "hazards-title", text: T.hazards }),
    ]);
    const list = el("ul", { class: "card-list" });
    const synced = new Set(records.filter((r) => r.kind === "hazard").map((r) => r.id));
    inspection.hazards.filter((hazard) => !synced.has(hazard.id)).forEach((hazard) => {
      list.append(el("li", { class: "card" }, [
        el("strong", { text: hazard.title }), " ",
        el("span", { class: "muted", text: fmt(T.hazard_number, { number: hazard.number }) }),
      ]));
    });
    records.filter((r) => r.kind === "hazard" && r.body.inspection === inspection.id).forEach((record) => {
      const count = record.body.photos.length + record.body.after_photos.length;
      list.append(el("li", { class: "card field-hazard", dataset: { hazard: record.id } }, [
        el("strong", { text: record.body.title }), " ",
        stateBadge(record), " ",
        record.number ? el("span", { class: "muted", text: fmt(T.hazard_number, { number: record.number }) }) : null,
        el("span", { class: "muted", text: ` · ${fmt(T.photos_count, { count })}` }),
        record.reason ? el("p", { class: "error-text", text: record.reason }) : null,
      ]));
    });
    if (!list.children.length) list.append(el("li", { class: "muted", text: T.no_hazards }));
    section.append(list);
    if (!closed) {
      section.append(el("a", { class: "button", href: `#/inspection/${inspection.id}/hazard/new`, text: T.record_other_hazard }));
    }
    return section;
  }

  // The hazards being written: each form's fields and photos, kept on the tablet as they are
  // typed and taken, so that a reload, or the browser dropping the page while the camera is open,
  // loses nothing. A form's draft is there whenever it is opened again; saved or cancelled, it is
  // gone. `draft` is the one of the form on screen.
  const DRAFTS = "hazard-drafts";
  let drafts = {};
  let draft = null;
  let restoredDrafts = new Set(); // kept from an earlier visit, not yet announced
  let draftWrite = null;

  function hasContent(d) {
    return Object.values(d.fields).some(Boolean) || d.before.length > 0 || d.after.length > 0;
  }

  function writeDrafts() {
    clearTimeout(draftWrite);
    draftWrite = null;
    const kept = Object.fromEntries(Object.entries(drafts).filter(([, d]) => hasContent(d)));
    return store.put("meta", kept, DRAFTS).catch(() => {});
  }

  function keepDraft(delay) {
    clearTimeout(draftWrite);
    draftWrite = setTimeout(writeDrafts, delay);
  }

  // Anything typed in the last moments is written before the page may be dropped.
  function flushDrafts() {
    if (draftWrite !== null) writeDrafts();
  }

  function dropDraft(key) {
    delete drafts[key];
    if (draft && draft.key === key) draft = null;
    return writeDrafts();
  }

  async function loadDrafts() {
    drafts = (await store.get("meta", DRAFTS)) || {};
    // Drafts of inspections no longer on the tablet cannot be saved any more.
    Object.keys(drafts).forEach((key) => {
      if (!inspectionOf(Number(key.split("/")[0]))) delete drafts[key];
    });
    restoredDrafts = new Set(Object.keys(drafts));
  }

  function draftField(control, at) {
    if (!draft || !control.name) return;
    draft.fields[control.name] = control.type === "checkbox" ? control.checked : control.value;
    keepDraft(at);
  }

  function fillFromDraft(form) {
    Object.entries(draft.fields).forEach(([name, value]) => {
      const control = form.elements.namedItem(name);
      if (!control) return;
      if (control.type === "checkbox") control.checked = value;
      else control.value = value;
    });
    form.querySelector("[data-fix]").hidden = !draft.fields.fixed_on_spot;
  }

  function field(id, label, control, required) {
    return el("div", { class: "field" }, [
      el("label", { for: id }, [label, required ? el("span", { class: "required", "aria-hidden": "true", text: " *" }) : null]),
      control,
    ]);
  }

  function options(choices, selected) {
    return choices.map((choice) => el("option", { value: choice.value, selected: choice.value === selected, text: choice.label }));
  }

  function renderHazardForm(inspectionId, itemId) {
    const inspection = inspectionOf(inspectionId);
    if (!inspection) return el("p", { class: "empty card", text: T.inspection_missing });
    const item = itemId === "new" ? null : itemsOf(inspection).find((i) => String(i.id) === itemId) || null;
    const key = `${inspectionId}/${itemId}`;
    if (!drafts[key]) drafts[key] = { key, fields: {}, before: [], after: [] };
    draft = drafts[key];
    const level = item && item.major ? "major" : "general";
    const days = (item && item.deadline_days) || pkg.default_deadline_days[level];
    const form = el("form", { class: "card field-hazard-form", novalidate: true, dataset: { inspection: inspectionId, item: item ? item.id : "" } }, [
      el("h2", { text: T.new_hazard }),
      el("p", { class: "muted", text: `${inspection.enterprise.name}${item ? ` · ${fmt(T.from_item, { code: item.code })}` : ""}` }),
      el("div", { class: "form-grid" }, [
        el("div", { class: "form-grid__full" }, [field("hz-title", T.hazard_title, el("input", { id: "hz-title", name: "title", maxlength: 200, value: item ? (item.hazard_title || item.text.slice(0, 200)) : "", required: true }), true)]),
        el("div", { class: "form-grid__full" }, [field("hz-description", T.description, el("textarea", { id: "hz-description", name: "description", maxlength: 4000 }, [item ? `${item.code}：${item.text}` : ""]))]),
        field("hz-location", T.location, el("input", { id: "hz-location", name: "location", maxlength: 200 })),
        field("hz-level", T.level, el("select", { id: "hz-level", name: "level" }, options(pkg.levels, level))),
        field("hz-category", T.category, el("select", { id: "hz-category", name: "category" }, options(pkg.categories, item ? item.category : "safety"))),
        field("hz-deadline", T.deadline, el("input", { id: "hz-deadline", name: "deadline", type: "date", min: today(), value: today(days) })),
        el("div", { class: "form-grid__full" }, [field("hz-basis", T.basis, el("input", { id: "hz-basis", name: "basis", maxlength: 200, value: item && item.basis ? item.basis : "" }))]),
        el("div", { class: "form-grid__full" }, [field("hz-measures", T.required_measures, el("textarea", { id: "hz-measures", name: "required_measures", maxlength: 4000 }))]),
        item && item.major ? el("div", { class: "form-grid__full" }, [field("hz-override", T.override_reason, el("textarea", { id: "hz-override", name: "override_reason", maxlength: 4000 }))]) : null,
      ]),
      photoPicker("before", T.photos),
      el("label", { class: "check" }, [el("input", { type: "checkbox", name: "fixed_on_spot", dataset: { action: "toggle-fix" } }), el("span", { text: ` ${T.fixed_on_spot}` })]),
      el("fieldset", { class: "on-spot", hidden: true, dataset: { fix: "" } }, [
        field("hz-fix-note", T.fix_note, el("textarea", { id: "hz-fix-note", name: "fix_note", maxlength: 4000 })),
        photoPicker("after", T.after_photos),
      ]),
      el("p", { class: "errors", role: "alert", dataset: { errors: "" }, hidden: true }),
      el("div", { class: "form-actions" }, [
        el("button", { type: "submit", class: "button button--primary button--large", text: T.save_hazard }),
        el("a", { class: "button", href: item ? sectionHref(inspection, item.id) : `#/inspection/${inspectionId}`, dataset: { action: "discard-draft" }, text: T.cancel }),
      ]),
    ]);
    fillFromDraft(form);
    if (restoredDrafts.delete(key) && hasContent(draft)) {
      form.querySelector("h2").after(el("p", { class: "flash", role: "status", text: T.draft_restored }));
    }
    return form;
  }

  function photoPicker(slot, label) {
    const chosen = draft[slot];
    return el("div", { class: "field" }, [
      el("span", { class: "field__label", id: `photos-${slot}-label`, text: label }),
      el("label", { class: "photo-picker" }, [
        el("input", { type: "file", accept: "image/jpeg,image/png,image/webp", capture: "environment", multiple: true, class: "photo-input", "aria-labelledby": `photos-${slot}-label`, dataset: { action: "draft-photo", slot } }),
        el("span", { class: "photo-picker__button", "aria-hidden": "true", text: T.take_photos }),
        el("span", { class: "photo-picker__status", dataset: { count: slot }, text: fmt(T.photos_count, { count: chosen.length }) }),
      ]),
      el("div", { class: "photo-input-preview", dataset: { preview: slot } }, chosen.map((photo) => thumb(photo))),
    ]);
  }

  function renderSign(inspectionId) {
    const inspection = inspectionOf(inspectionId);
    if (!inspection) return el("p", { class: "empty card", text: T.inspection_missing });
    const box = el("div", { class: "field-sign" }, [
      el("p", {}, [el("a", { href: `#/inspection/${inspection.id}`, text: `‹ ${inspection.enterprise.name}` })]),
      el("h2", { text: T.signatures }),
    ]);
    const closed = locked(inspection);
    const slots = inspection.team.map((member) => ({ role: "inspector", user: member.id, name: member.name }));
    slots.push({ role: "enterprise", user: null, name: T.representative });
    slots.forEach((slot, index) => {
      const done = signatureOf(inspection, slot);
      const card = el("div", { class: "card field-signature", dataset: { role: slot.role, user: slot.user || "" } }, [
        el("h3", { text: slot.name }),
      ]);
      if (done) {
        card.append(el("p", { class: "signed" }, [el("strong", { text: `${T.signed}：${done.name}` }), " ", done.record ? stateBadge(done.record) : null]));
      }
      if (!closed) {
        if (slot.role === "enterprise") {
          card.append(field(`sign-name-${index}`, T.representative_name, el("input", { id: `sign-name-${index}`, name: "signer_name", maxlength: 64, value: done && done.record ? done.name : "" }), true));
        }
        card.append(
          el("canvas", { class: "signature-pad", "aria-label": `${T.sign_here}：${slot.name}`, role: "img", dataset: { pad: `${slot.role}-${slot.user || ""}` } }),
          el("p", { class: "errors", role: "alert", hidden: true, dataset: { errors: "" } }),
          el("div", { class: "button-row" }, [
            el("button", { type: "button", class: "button", dataset: { action: "clear-signature" }, text: T.clear }),
            el("button", { type: "button", class: "button button--primary", dataset: { action: "save-signature" }, text: T.save_signature }),
          ]),
        );
      }
      box.append(card);
    });
    if (!closed) {
      box.append(el("div", { class: "card" }, [
        field("summary", T.summary, el("textarea", { id: "summary", name: "summary", maxlength: 2000 })),
        el("p", { class: "errors", role: "alert", hidden: true, dataset: { completeErrors: "" } }),
        el("button", { type: "button", class: "button button--primary button--large", dataset: { action: "complete", inspection: inspection.id }, text: T.complete }),
      ]));
    } else {
      box.append(el("p", { class: "flash flash--success", text: lockedOnServer(inspection) ? T.locked : T.completed_on_device }));
    }
    return box;
  }

  function signatureOf(inspection, slot) {
    const mine = records.filter((r) => r.kind === "signature" && live(r) && r.body.inspection === inspection.id &&
      r.body.role === slot.role && (slot.role === "enterprise" || r.body.user === slot.user));
    if (mine.length) {
      const record = mine[mine.length - 1];
      return { record, name: slot.role === "enterprise" ? record.body.signer_name : slot.name };
    }
    const server = inspection.signatures.find((s) => s.role === slot.role && (slot.role === "enterprise" || s.user === slot.user));
    return server ? { record: null, name: server.name } : null;
  }

  // What the inspector has typed or drawn and not yet kept, so a re-render does not wipe it.
  function typedAndDrawn() {
    const values = {};
    view.querySelectorAll("input[id]:not([type=file]):not([type=checkbox]), textarea[id]").forEach((input) => {
      values[input.id] = input.value;
    });
    const drawings = {};
    view.querySelectorAll("canvas.signature-pad[data-drawn='1']").forEach((canvas) => {
      drawings[canvas.dataset.pad] = canvas.toDataURL("image/png");
    });
    return { values, drawings };
  }

  function restore(unsaved) {
    Object.entries(unsaved.values).forEach(([id, value]) => {
      const input = document.getElementById(id);
      if (input && view.contains(input) && !input.disabled) input.value = value;
    });
    Object.entries(unsaved.drawings).forEach(([key, url]) => {
      const canvas = view.querySelector(`canvas.signature-pad[data-pad="${key}"]`);
      if (!canvas) return;
      const image = new Image();
      image.onload = () => {
        const context = canvas.getContext("2d");
        context.save();
        context.setTransform(1, 0, 0, 1, 0, 0);
        context.drawImage(image, 0, 0);
        context.restore();
        canvas.dataset.drawn = "1";
      };
      image.src = url;
    });
  }

  // A background render (after a sync) leaves alone a view the inspector is working in.
  function busy() {
    const active = document.activeElement;
    return view.querySelector("form.field-hazard-form, canvas[data-drawn='1']") ||
      (active && view.contains(active) && /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName));
  }

  function render(force) {
    renderPanel();
    const route = (location.hash || "#/").slice(1).split("/").filter(Boolean);
    root.dataset.at = route[0] === "inspection" ? "inspection" : "home";
    let content;
    if (route[0] === "inspection" && route[2] === "hazard") content = renderHazardForm(Number(route[1]), route[3]);
    else if (route[0] === "inspection" && route[2] === "sign") content = renderSign(Number(route[1]));
    else if (route[0] === "inspection") content = renderInspection(Number(route[1]), Number(route[3]));
    else content = renderHome();
    const focused = document.activeElement && document.activeElement.id;
    const scroll = window.scrollY;
    const sameRoute = view.dataset.route === location.hash;
    if (sameRoute && !force && busy()) return;
    const unsaved = sameRoute ? typedAndDrawn() : null;
    const first = !("route" in view.dataset);
    view.textContent = "";
    view.append(content);
    view.dataset.route = location.hash;
    view.querySelectorAll("canvas.signature-pad").forEach(signaturePad);
    if (!sameRoute) {
      window.scrollTo(0, 0);
      const heading = view.querySelector("h2");
      if (heading && !first) {
        heading.setAttribute("tabindex", "-1");
        heading.focus({ preventScroll: true });
      }
    } else {
      restore(unsaved);
      window.scrollTo(0, scroll);
      if (focused && document.getElementById(focused)) document.getElementById(focused).focus({ preventScroll: true });
    }
  }

  // --- Actions --------------------------------------------------------------------------------

  async function answer(inspectionId, itemId, values) {
    const inspection = inspectionOf(inspectionId);
    const item = itemsOf(inspection).find((i) => i.id === itemId);
    if (!item || locked(inspection)) return;
    let record = unsentOf((r) => r.kind === "answer" && r.body.inspection === inspectionId && r.body.item === itemId)[0];
    if (!record) {
      const previous = answerOf(inspection, item);
      record = newRecord("answer", {
        inspection: inspectionId, item: itemId, base_version: serverVersion(inspection, item),
        photos: [], comment: previous && previous.comment ? previous.comment : null,
      });
    }
    Object.assign(record.body, { result: null, number: null, choice: null, text: null }, values, {
      answered_at: new Date().toISOString(),
    });
    record.state = "pending";
    await keep(record);
  }

  async function hex(blob) {
    const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async function photosFrom(input, inspectionId) {
    const made = [];
    for (const file of Array.from(input.files || [])) {
      const blob = await window.inspectionPhotos.shrink(file);
      made.push({
        id: uuid(), inspection: inspectionId, blob, size: blob.size, sha256: await hex(blob),
        name: file.name, taken_at: new Date(file.lastModified || Date.now()).toISOString(),
        state: "pending", received: 0,
      });
    }
    input.value = "";
    return made;
  }

  async function itemPhoto(input) {
    const inspectionId = Number(location.hash.split("/")[2]);
    const itemId = Number(input.dataset.item);
    const inspection = inspectionOf(inspectionId);
    const item = itemsOf(inspection).find((i) => i.id === itemId);
    const current = answerOf(inspection, item);
    const made = await photosFrom(input, inspectionId);
    if (!made.length || !current) return;
    let record = unsentOf((r) => r.kind === "answer" && r.body.inspection === inspectionId && r.body.item === itemId)[0];
    if (!record) {
      record = newRecord("answer", {
        inspection: inspectionId, item: itemId, base_version: serverVersion(inspection, item),
        result: current.result || null, number: current.number ?? null, choice: current.choice || null,
        text: current.text || null, comment: current.comment || null, photos: [],
      });
    }
    record.body.photos = record.body.photos.concat(made.map((p) => p.id));
    record.state = "pending";
    await keep(record, made);
  }

  async function draftPhoto(input) {
    const slot = input.dataset.slot;
    const status = input.closest(".field").querySelector("[data-count]");
    status.textContent = T.processing_photos;
    const target = draft;
    const made = await photosFrom(input, Number(location.hash.split("/")[2]));
    // The photos belong to the form they were taken on, even if another is open by now; if that
    // hazard was saved or cancelled while they were being shrunk, they are not kept.
    if (!target || target !== drafts[target.key]) return;
    target[slot] = target[slot].concat(made);
    writeDrafts();
    // The form on screen may have been drawn again meanwhile (after a sync): update that one.
    const form = view.querySelector("form.field-hazard-form");
    if (target !== draft || !form) return;
    form.querySelector(`[data-count="${slot}"]`).textContent = fmt(T.photos_count, { count: draft[slot].length });
    const preview = form.querySelector(`[data-preview="${slot}"]`);
    preview.textContent = "";
    draft[slot].forEach((photo) => preview.append(thumb(photo)));
  }

  async function saveHazard(form) {
    const inspectionId = Number(form.dataset.inspection);
    const inspection = inspectionOf(inspectionId);
    const item = form.dataset.item ? itemsOf(inspection).find((i) => String(i.id) === form.dataset.item) : null;
    const value = (name) => {
      const control = form.elements.namedItem(name);
      return control && control.value.trim() ? control.value.trim() : null;
    };
    const fixed = form.elements.namedItem("fixed_on_spot").checked;
    const problems = [];
    if (!value("title")) problems.push(T.need_title);
    if (value("level") === "major" && !value("basis")) problems.push(T.need_basis);
    if (item && item.major && value("level") !== "major" && !value("override_reason")) problems.push(T.need_override);
    if (!draft.before.length) problems.push(T.need_photo);
    if (fixed && !draft.after.length) problems.push(T.need_after_photo);
    const errors = form.querySelector("[data-errors]");
    if (problems.length) {
      errors.textContent = problems.join(" ");
      errors.hidden = false;
      errors.scrollIntoView({ block: "center" });
      return;
    }
    if (item && resultOf(item, answerOf(inspection, item)) !== "fail") {
      await answer(inspectionId, item.id, { result: "fail" });
    }
    const record = newRecord("hazard", {
      inspection: inspectionId, item: item ? item.id : null, title: value("title"),
      description: value("description"), location: value("location"), level: value("level"),
      category: value("category"), basis: value("basis"), deadline: value("deadline"),
      required_measures: value("required_measures"), override_reason: value("override_reason"),
      found_at: new Date().toISOString(), photos: draft.before.map((p) => p.id),
      fixed_on_spot: fixed, fix_note: fixed ? value("fix_note") : null,
      after_photos: fixed ? draft.after.map((p) => p.id) : [],
    });
    const kept = draft.before.concat(fixed ? draft.after : []);
    try {
      await store.keep(record, kept);
    } catch (error) {
      errors.textContent = fmt(T.not_kept, { message: String(error && error.message || error) });
      errors.hidden = false;
      return;
    }
    await dropDraft(draft.key);
    view.dataset.route = "";
    location.hash = item ? sectionHref(inspection, item.id) : `#/inspection/${inspectionId}`;
    await refresh();
    flash(T.saved_on_device);
  }

  function flash(message) {
    const note = el("p", { class: "flash flash--success", role: "status" });
    view.prepend(note);
    setTimeout(() => { note.textContent = message; }, 50);
    setTimeout(() => note.remove(), 6000);
  }

  function signaturePad(canvas) {
    const context = canvas.getContext("2d");
    let drawing = false;
    canvas.dataset.drawn = "";
    const ratio = window.devicePixelRatio || 1;
    const box = canvas.getBoundingClientRect();
    canvas.width = Math.round(box.width * ratio);
    canvas.height = Math.round(box.height * ratio);
    context.setTransform(ratio, 0, 0, ratio, 0, 0);
    Object.assign(context, { lineWidth: 2.6, lineCap: "round", lineJoin: "round", strokeStyle: "#101828" });
    const point = (event) => {
      const rect = canvas.getBoundingClientRect();
      return [event.clientX - rect.left, event.clientY - rect.top];
    };
    canvas.addEventListener("pointerdown", (event) => {
      event.preventDefault();
      canvas.setPointerCapture(event.pointerId);
      drawing = true;
      context.beginPath();
      context.moveTo(...point(event));
    });
    canvas.addEventListener("pointermove", (event) => {
      if (!drawing) return;
      context.lineTo(...point(event));
      context.stroke();
      canvas.dataset.drawn = "1";
    });
    ["pointerup", "pointercancel", "pointerleave"].forEach((name) => canvas.addEventListener(name, () => { drawing = false; }));
  }

  async function saveSignature(card) {
    const inspectionId = Number(location.hash.split("/")[2]);
    const canvas = card.querySelector("canvas");
    const errors = card.querySelector("[data-errors]");
    const role = card.dataset.role;
    const user = card.dataset.user ? Number(card.dataset.user) : null;
    const nameInput = card.querySelector("input[name=signer_name]");
    const name = nameInput ? nameInput.value.trim() : null;
    let problem = null;
    if (role === "enterprise" && !name) problem = T.need_name;
    else if (!canvas.dataset.drawn) problem = T.empty_signature;
    if (problem) {
      errors.textContent = problem;
      errors.hidden = false;
      return;
    }
    let record = unsentOf((r) => r.kind === "signature" && r.body.inspection === inspectionId &&
      r.body.role === role && r.body.user === user)[0];
    if (!record) record = newRecord("signature", { inspection: inspectionId, role, user });
    Object.assign(record.body, { signer_name: name, image: canvas.toDataURL("image/png") });
    record.state = "pending";
    canvas.dataset.drawn = "";
    await keep(record);
  }

  async function complete(inspectionId) {
    const inspection = inspectionOf(inspectionId);
    const slots = inspection.team.map((member) => ({ role: "inspector", user: member.id, name: member.name }));
    slots.push({ role: "enterprise", user: null, name: T.representative });
    const missing = slots.filter((slot) => !signatureOf(inspection, slot)).map((slot) => slot.name);
    const errors = view.querySelector("[data-complete-errors]");
    if (missing.length) {
      errors.textContent = fmt(T.still_to_sign, { names: missing.join("、") });
      errors.hidden = false;
      return;
    }
    const summary = view.querySelector("#summary").value.trim() || null;
    await keep(newRecord("completion", { inspection: inspectionId, summary }));
    location.hash = `#/inspection/${inspectionId}`;
  }

  // --- Prepare and sync -----------------------------------------------------------------------

  let token = null;

  // A failed request: `offline` when the server was not reached (or something else answered).
  class Failure extends Error {
    constructor(reply) {
      super(reply ? reply.body.message || String(reply.status) : "offline");
      this.reply = reply || null;
    }
  }

  // A weak signal can leave a request hanging: give up after a while, as if there were none.
  const PATIENCE = 45000;

  async function api(path, options) {
    const patience = new AbortController();
    const timer = setTimeout(() => patience.abort(), PATIENCE);
    try {
      const response = await fetch(API + path, Object.assign({ credentials: "same-origin", redirect: "manual", signal: patience.signal }, options || {}, {
        headers: Object.assign({ Accept: "application/json" }, token ? { "X-CSRFToken": token } : {}, (options || {}).headers || {}),
      }));
      if (!(response.headers.get("Content-Type") || "").startsWith("application/json")) throw new Failure(null);
      const body = await response.json();
      return { status: response.status, ok: response.ok, body };
    } finally {
      clearTimeout(timer);
    }
  }

  function progress(text) {
    root.querySelector("[data-sync-progress]").textContent = text || "";
  }

  function askToLogIn() {
    const box = root.querySelector("[data-sync-progress]");
    box.textContent = `${T.login_again} `;
    box.append(el("a", { href: root.dataset.login, text: T.log_in }));
  }

  async function session() {
    const reply = await api("/session");
    if (reply.status === 401) {
      askToLogIn();
      return false;
    }
    if (!reply.ok) throw new Failure(reply);
    // What is on this tablet belongs to whoever opened the page; another login does not send it.
    if (String(reply.body.id) !== root.dataset.user) {
      progress(fmt(T.other_user, { name: reply.body.name }));
      return false;
    }
    token = reply.body.csrf_token;
    return true;
  }

  async function prepare() {
    progress(T.preparing);
    try {
      if (!(await session())) return;
      const reply = await api("/field/package");
      if (!reply.ok) throw new Failure(reply);
      await store.put("meta", reply.body, "package");
      // Records already settled for inspections no longer in hand need not stay on the tablet.
      const inHand = new Set(reply.body.inspections.map((inspection) => inspection.id));
      for (const record of await store.all("records")) {
        const settled = (record.state === "accepted" || record.state === "rejected") && (!record.note && !record.reason || record.note_seen);
        // Accepted records are in the new package now; refused ones stay while their inspection is in hand.
        if (settled && (record.state === "accepted" || !inHand.has(record.body.inspection))) await store.remove("records", record.id);
      }
      await forgetLoosePhotos();
      if (navigator.serviceWorker && navigator.serviceWorker.controller) {
        root.dataset.shell = "refreshing";
        navigator.serviceWorker.controller.postMessage({ type: "refresh-shell" });
      }
      await load();
      progress("");
      render(true);
    } catch (error) {
      const reply = error instanceof Failure ? error.reply : null;
      progress(reply ? fmt(T.sync_failed, { message: reply.body.message || reply.status }) : T.prepare_failed);
    }
  }

  let syncing = false;
  let wanted = false;
  let failures = 0;
  let syncTimer = null;

  function scheduleSync() {
    if (syncing) {
      wanted = true;
      return;
    }
    clearTimeout(syncTimer);
    if (navigator.onLine) syncTimer = setTimeout(sync, 800);
  }

  async function uploadPhoto(photo) {
    let reply = await api("/photos", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({
        id: photo.id, inspection: photo.inspection, size: photo.size, sha256: photo.sha256,
        filename: (photo.name || "photo.jpg").slice(0, 200), taken_at: photo.taken_at,
      }),
    });
    if (!reply.ok) return refusePhoto(photo, reply);
    let received = reply.body.received;
    let rounds = 0;
    while (!reply.body.complete && rounds < 1000) {
      if (typeof received !== "number") throw new Failure(null);
      rounds += 1;
      const end = Math.min(received + PIECE, photo.size) - 1;
      reply = await api(`/photos/${photo.id}/content`, {
        method: "PUT",
        headers: { "Content-Type": "application/octet-stream", "Content-Range": `bytes ${received}-${end}/${photo.size}` },
        body: photo.blob.slice(received, end + 1),
      });
      if (reply.status === 409 && typeof reply.body.received === "number") {
        received = reply.body.received;
        reply.body.complete = false;
        continue;
      }
      if (!reply.ok) return refusePhoto(photo, reply);
      received = reply.body.received;
      photo.received = received;
    }
    if (reply.body.complete !== true) throw new Failure(null);
    photo.state = "uploaded";
    await store.put("photos", photo);
    return true;
  }

  async function refusePhoto(photo, reply) {
    // Only the server refusing the photo itself (not an image, too large; not this inspector's
    // inspection) is final. Anything else (login run out, an expired token, a busy server) is
    // tried again at the next sync.
    const final = reply.status === 422 || reply.status === 403 || reply.status === 404 ||
      (reply.status === 409 && typeof reply.body.received !== "number");
    if (!final) throw new Failure(reply);
    // The server refused the photo itself: take it out of its record and say why.
    photo.state = "rejected";
    photo.reason = reply.body.message || String(reply.status);
    await store.put("photos", photo);
    for (const record of records) {
      for (const key of ["photos", "after_photos"]) {
        if (record.body[key] && record.body[key].includes(photo.id) && record.state !== "accepted") {
          record.body[key] = record.body[key].filter((id) => id !== photo.id);
          record.note = fmt(T.photo_refused, { reason: photo.reason });
          await store.put("records", record);
        }
      }
    }
    return false;
  }

  // One sync at a time, across the tabs of this browser too.
  function sync() {
    if (navigator.locks) {
      return navigator.locks.request("field-sync", () => syncOnce());
    }
    return syncOnce();
  }

  async function syncOnce() {
    if (syncing || !navigator.onLine) {
      if (!navigator.onLine) progress(T.sync_offline);
      return;
    }
    syncing = true;
    root.querySelector("[data-action=sync]").setAttribute("aria-busy", "true");
    try {
      await load();
      if (!pendingOf().length && !pendingPhotos().length) return;
      progress(T.syncing);
      if (!(await session())) return;
      const waiting = pendingPhotos();
      for (let index = 0; index < waiting.length; index += 1) {
        progress(fmt(T.uploading, { n: index + 1, total: waiting.length }));
        await uploadPhoto(waiting[index]);
      }
      await load();
      const batch = pendingOf();
      for (let start = 0; start < batch.length; start += 50) {
        const part = batch.slice(start, start + 50);
        progress(fmt(T.sending_records, { count: part.length }));
        await settle(part.map((record) => [record.id, { sent_at: record.sent_at || new Date().toISOString() }]));
        const reply = await api("/sync", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ device: navigator.userAgent.slice(0, 200), records: part.map((r) => r.body) }),
        });
        if (!reply.ok) throw new Failure(reply);
        await settle(reply.body.results.filter((result) => part.some((r) => r.id === result.id)).map((result) => [result.id, {
          state: result.outcome,
          reason: result.reason || null,
          note: result.note || null,
          server_id: result.server_id,
          server_version: result.server_version,
          number: result.number || null,
          synced_at: new Date().toISOString(),
        }]));
        await forgetLoosePhotos();
      }
      await store.put("meta", new Date().toISOString(), "synced_at");
      progress(fmt(T.synced_at, { time: localTime(new Date().toISOString()) }));
      failures = 0;
    } catch (error) {
      failures += 1;
      const reply = error instanceof Failure ? error.reply : null;
      if (reply && reply.status === 401) askToLogIn();
      else if (reply) progress(fmt(T.sync_failed, { message: reply.body.message || reply.status }));
      else progress(T.sync_offline);
    } finally {
      await load();
      syncing = false;
      root.querySelector("[data-action=sync]").removeAttribute("aria-busy");
      render();
      // Try again by itself while anything waits: soon after new work, later after failures.
      if ((wanted || pendingOf().length || pendingPhotos().length) && navigator.onLine) {
        clearTimeout(syncTimer);
        syncTimer = setTimeout(sync, wanted ? 500 : Math.min(15000 * 2 ** failures, 300000));
      }
      wanted = false;
    }
  }

  // Photos no waiting record names any more (its record was refused and read, or they were
  // refused themselves) are removed from the tablet.
  function forgetLoosePhotos() {
    return transact(["records", "photos"], "readwrite", (tx) => {
      const listed = tx.objectStore("records").getAll();
      listed.onsuccess = () => {
        const named = photosNamedBy(listed.result.filter((r) => r.state !== "accepted"));
        const kept = tx.objectStore("photos").getAllKeys();
        kept.onsuccess = () => kept.result.filter((id) => !named.has(id))
          .forEach((id) => tx.objectStore("photos").delete(id));
      };
    });
  }

  // Write the server's answers onto the records as they are now (never their bodies), in one go.
  function settle(changes) {
    return transact(["records"], "readwrite", (tx) => {
      const objects = tx.objectStore("records");
      changes.forEach(([id, change]) => {
        const read = objects.get(id);
        read.onsuccess = () => {
          if (!read.result) return;
          const updated = Object.assign({}, read.result, change);
          if (change.note === null) updated.note = read.result.note || null; // keep a photo's refusal
          objects.put(updated);
        };
      });
    });
  }

  async function dismiss(id) {
    const record = records.find((r) => r.id === id);
    if (!record) return;
    record.note_seen = true;
    await store.put("records", record);
    await forgetLoosePhotos();
    await load();
    render(true);
  }

  // --- Wiring ---------------------------------------------------------------------------------

  root.addEventListener("click", (event) => {
    const target = event.target.closest("[data-action]");
    if (!target || target.tagName === "INPUT") return;
    const action = target.dataset.action;
    const inspectionId = Number(location.hash.split("/")[2]);
    if (action === "prepare") prepare();
    else if (action === "sync") sync();
    else if (action === "dismiss") dismiss(target.dataset.record);
    else if (action === "discard-draft" && draft) dropDraft(draft.key);
    else if (action === "answer") {
      const values = { result: target.dataset.result };
      const text = view.querySelector(`#text-${target.dataset.item}`);
      if (text && text.value.trim()) values.text = text.value.trim();
      answer(inspectionId, Number(target.dataset.item), values);
    } else if (action === "choice") {
      answer(inspectionId, Number(target.dataset.item), { choice: target.dataset.choice });
    } else if (action === "number") {
      const input = view.querySelector(`#number-${target.dataset.item}`);
      const number = Number(String(input.value).replace(",", "."));
      if (input.value.trim() && Number.isFinite(number)) answer(inspectionId, Number(target.dataset.item), { number });
    } else if (action === "clear-signature") {
      const canvas = target.closest(".field-signature").querySelector("canvas");
      canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
      canvas.dataset.drawn = "";
    } else if (action === "save-signature") {
      saveSignature(target.closest(".field-signature"));
    } else if (action === "complete") {
      complete(Number(target.dataset.inspection));
    }
  });

  root.addEventListener("change", (event) => {
    const target = event.target;
    if (target.dataset.action === "item-photo") itemPhoto(target);
    else if (target.dataset.action === "draft-photo") draftPhoto(target);
    else if (target.dataset.action === "toggle-fix") {
      target.closest("form").querySelector("[data-fix]").hidden = !target.checked;
    }
    if (target.closest("form.field-hazard-form") && target.type !== "file") draftField(target, 0);
  });

  root.addEventListener("input", (event) => {
    if (event.target.closest("form.field-hazard-form")) draftField(event.target, 300);
  });

  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "hidden") flushDrafts();
  });
  window.addEventListener("pagehide", flushDrafts);

  root.addEventListener("submit", (event) => {
    if (!event.target.matches("form.field-hazard-form")) return;
    event.preventDefault();
    saveHazard(event.target);
  });

  window.addEventListener("hashchange", () => render(true));
  window.addEventListener("online", () => { renderPanel(); sync(); });
  window.addEventListener("offline", () => { renderPanel(); progress(T.sync_offline); });

  // The service worker says when it has fetched the page and its files again after a prepare.
  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.addEventListener("message", (event) => {
      if (event.data && event.data.type === "shell-ready") root.dataset.shell = "ready";
      if (event.data && event.data.type === "shell-failed") root.dataset.shell = "failed";
    });
  }
  if ("serviceWorker" in navigator && window.isSecureContext) {
    navigator.serviceWorker.register(root.dataset.worker, { scope: root.dataset.scope }).catch(() => {});
  }

  load().then(async () => {
    await loadDrafts();
    root.dataset.ready = "1";
    render(true);
    checkStorage();
    sync();
  });
})();
