// What the inspector does on the tablet: answer, take photos, save a hazard.

import { draft, drafts, dropDraft, writeDrafts } from "./drafts.js";
import { answerOf, inspectionOf, itemsOf, locked, resultOf, sectionHref, serverVersion, unsentOf } from "./knowledge.js";
import { T, fmt, tooLong, uuid, view } from "./page.js";
import { flash } from "./render.js";
import { keep, newRecord, refresh, store } from "./store.js";
import { thumb } from "./views.js";

export async function answer(inspectionId, itemId, values) {
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

export async function itemPhoto(input) {
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

export async function draftPhoto(input) {
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

export async function saveHazard(form) {
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
  if (fixed && value("level") === "major") problems.push(T.major_on_spot);
  problems.push(...tooLong(form));
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
    occurrence_link: value("occurrence_link"),
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
