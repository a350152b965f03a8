import { inspectionOf } from "./knowledge.js";
import { store } from "./store.js";

// The hazards being written: each form's fields and photos, kept on the tablet as they are
// typed and taken, so that a reload, or the browser dropping the page while the camera is open,
// loses nothing. A form's draft is there whenever it is opened again; saved or cancelled, it is
// gone. `draft` is the one of the form on screen. Other modules read these; only this one
// assigns them.
const DRAFTS = "hazard-drafts";
export let drafts = {};
export let draft = null;
export let restoredDrafts = new Set(); // kept from an earlier visit, not yet announced
let draftWrite = null;

// The draft of the form about to be drawn (a new, empty one if it has none yet).
export function openDraft(key) {
  if (!drafts[key]) drafts[key] = { key, fields: {}, before: [], after: [] };
  draft = drafts[key];
  return draft;
}

export function hasContent(d) {
  return Object.values(d.fields).some(Boolean) || d.before.length > 0 || d.after.length > 0;
}

export function writeDrafts() {
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
export function flushDrafts() {
  if (draftWrite !== null) writeDrafts();
}

export function dropDraft(key) {
  delete drafts[key];
  if (draft && draft.key === key) draft = null;
  return writeDrafts();
}

export async function loadDrafts() {
  drafts = (await store.get("meta", DRAFTS)) || {};
  // Drafts of inspections no longer on the tablet cannot be saved any more.
  Object.keys(drafts).forEach((key) => {
    if (!inspectionOf(Number(key.split("/")[0]))) delete drafts[key];
  });
  restoredDrafts = new Set(Object.keys(drafts));
}

export function draftField(control, at) {
  if (!draft || !control.name) return;
  draft.fields[control.name] = control.type === "checkbox" ? control.checked : control.value;
  keepDraft(at);
}

export function fillFromDraft(form) {
  Object.entries(draft.fields).forEach(([name, value]) => {
    const control = form.elements.namedItem(name);
    if (!control) return;
    if (control.type === "checkbox") control.checked = value;
    else control.value = value;
  });
  form.querySelector("[data-fix]").hidden = !draft.fields.fixed_on_spot;
}
