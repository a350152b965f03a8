// The field app: a day's inspections that keep working without signal.
//
// "Prepare for offline" downloads the day's inspections with their enterprises and checklist
// versions into IndexedDB, and the service worker keeps the page and its files. Answers, hazards,
// photos and signatures are then kept on the tablet as records, each with an id made here, and
// sent when there is signal: photos in resumable pieces first, then the records in order. The
// server answers each record (accepted, rejected with the reason, or retry); the tablet shows
// every outcome and drops nothing by itself: a refused record is announced until the inspector has
// read why, and stays listed on its inspection, photos and all, while that inspection is in hand.
//
// The modules, each with one job: page (the page's fixed parts and DOM helpers), store (what
// IndexedDB keeps), knowledge (the package overlaid with the records made here), drafts (hazard
// forms being written), views, hazard-form and signing (drawing), render (the view the address
// asks for), actions (what the inspector does) and sync (prepare and sync). This one wires them
// to the page.

import { answer, draftPhoto, itemPhoto, saveHazard } from "./actions.js";
import { draft, draftField, dropDraft, flushDrafts, loadDrafts } from "./drafts.js";
import { T, root, view } from "./page.js";
import { render } from "./render.js";
import { complete, saveSignature } from "./signing.js";
import { checkStorage, load, onChange } from "./store.js";
import { dismiss, prepare, progress, scheduleSync, sync } from "./sync.js";
import { renderPanel } from "./views.js";

if (root) start();

function start() {
  onChange(() => {
    render(true);
    scheduleSync();
  });

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
    checkStorage().then((asked) => { if (asked) renderPanel(); });
    sync();
  });
}
