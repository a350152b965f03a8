// Signatures on the screen and completing the inspection.

import { answerOf, inspectionOf, itemsOf, live, locked, lockedOnServer, resultOf, signatureOf, unsentOf } from "./knowledge.js";
import { T, el, field, fmt, view } from "./page.js";
import { keep, newRecord, records } from "./store.js";
import { stateBadge } from "./views.js";

export function renderSign(inspectionId) {
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

export function signaturePad(canvas) {
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

export async function saveSignature(card) {
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

export async function complete(inspectionId) {
  const inspection = inspectionOf(inspectionId);
  const slots = inspection.team.map((member) => ({ role: "inspector", user: member.id, name: member.name }));
  slots.push({ role: "enterprise", user: null, name: T.representative });
  const missing = slots.filter((slot) => !signatureOf(inspection, slot)).map((slot) => slot.name);
  const errors = view.querySelector("[data-complete-errors]");
  const unphotographed = itemsWithoutPhoto(inspection);
  if (unphotographed.length) {
    errors.textContent = fmt(T.need_item_photos, { items: unphotographed.join(T.list_separator) });
    errors.hidden = false;
    return;
  }
  if (missing.length) {
    errors.textContent = fmt(T.still_to_sign, { names: missing.join(T.list_separator) });
    errors.hidden = false;
    return;
  }
  const summary = view.querySelector("#summary").value.trim() || null;
  await keep(newRecord("completion", { inspection: inspectionId, summary }));
  location.hash = `#/inspection/${inspectionId}`;
}

// The codes of failed items that need a photo and have none, here or on the server: the same
// rule the server applies when the completion arrives.
function itemsWithoutPhoto(inspection) {
  return itemsOf(inspection).filter((item) => {
    if (item.photo_on_fail === false) return false;
    const answer = answerOf(inspection, item);
    if (resultOf(item, answer) !== "fail") return false;
    if (answer.has_photo || (answer.photos && answer.photos.length)) return false;
    const server = inspection.answers.find((known) => known.item === item.id);
    if (server && server.has_photo) return false;
    return !records.some((r) => r.kind === "hazard" && live(r) && r.body.inspection === inspection.id &&
      r.body.item === item.id && r.body.photos && r.body.photos.length);
  }).map((item) => item.code);
}
