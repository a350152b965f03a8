// What the tablet knows: the package overlaid with the records made here.

import { photos, photosNamedBy, pkg, records } from "./store.js";

export function inspectionOf(id) {
  return pkg && pkg.inspections.find((inspection) => inspection.id === id);
}

function checklistOf(id) {
  return pkg && pkg.checklists.find((checklist) => checklist.id === id);
}

export function itemsOf(inspection) {
  const items = [];
  inspection.checklists.forEach((id) => {
    const checklist = checklistOf(id);
    if (checklist) checklist.sections.forEach((section) => items.push(...section.items));
  });
  return items;
}

export function live(record) {
  return record.state !== "rejected";
}

export function answerOf(inspection, item) {
  const mine = records.filter((r) => r.kind === "answer" && live(r) &&
    r.body.inspection === inspection.id && r.body.item === item.id);
  if (mine.length) return Object.assign({ record: mine[mine.length - 1] }, mine[mine.length - 1].body);
  return inspection.answers.find((answer) => answer.item === item.id) || null;
}

export function serverVersion(inspection, item) {
  const synced = records.filter((r) => r.kind === "answer" && r.state === "accepted" &&
    r.body.inspection === inspection.id && r.body.item === item.id);
  if (synced.length) return synced[synced.length - 1].server_version;
  const known = inspection.answers.find((answer) => answer.item === item.id);
  return known ? known.version : null;
}

export function resultOf(item, answer) {
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

export function lockedOnServer(inspection) {
  return inspection.status === "completed" ||
    records.some((r) => r.kind === "completion" && r.state === "accepted" && r.body.inspection === inspection.id);
}

export function locked(inspection) {
  return inspection.status === "completed" || completedHere(inspection);
}

export function pendingOf(filter) {
  return records.filter((r) => (r.state === "pending" || r.state === "retry") && (!filter || filter(r)));
}

// A record may change only until it is first sent: the server answers a resend with what it
// made of the first copy, so a change after that goes out as a new record.
export function unsentOf(filter) {
  return pendingOf((r) => !r.sent_at && (!filter || filter(r)));
}

// Photos still to send: those of records still to send (a refused record's photos stay put).
export function pendingPhotos() {
  const named = photosNamedBy(pendingOf());
  return photos.filter((photo) => photo.state === "pending" && named.has(photo.id));
}

export function sectionsOf(inspection) {
  const parts = [];
  inspection.checklists.forEach((id) => {
    const checklist = checklistOf(id);
    if (checklist) checklist.sections.forEach((section) => parts.push({ checklist, section }));
  });
  return parts;
}

export function sectionHref(inspection, itemId) {
  const part = sectionsOf(inspection).find((p) => p.section.items.some((item) => item.id === itemId));
  return `#/inspection/${inspection.id}${part ? `/section/${part.section.id}` : ""}`;
}

export function signatureOf(inspection, slot) {
  const mine = records.filter((r) => r.kind === "signature" && live(r) && r.body.inspection === inspection.id &&
    r.body.role === slot.role && (slot.role === "enterprise" || r.body.user === slot.user));
  if (mine.length) {
    const record = mine[mine.length - 1];
    return { record, name: slot.role === "enterprise" ? record.body.signer_name : slot.name };
  }
  const server = inspection.signatures.find((s) => s.role === slot.role && (slot.role === "enterprise" || s.user === slot.user));
  return server ? { record: null, name: server.name } : null;
}
