// Drawing the sync panel, the day's inspections, one inspection's checklists and its hazards.

import { answerOf, inspectionOf, itemsOf, live, locked, lockedOnServer, pendingOf, pendingPhotos, resultOf, sectionsOf } from "./knowledge.js";
import { T, el, fmt, localTime, root } from "./page.js";
import { photos, pkg, records, storageKept } from "./store.js";

export function stateBadge(record) {
  return el("span", { class: `badge sync-badge sync-badge--${record.state}`, text: T[`state_${record.state}`] });
}

export function renderPanel() {
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

export function renderHome() {
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

export function renderInspection(id, sectionId) {
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

export function thumb(photo) {
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
