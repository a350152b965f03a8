// The form for a hazard found, drawn from its draft so nothing typed or taken is lost.

import { draft, fillFromDraft, hasContent, openDraft, restoredDrafts } from "./drafts.js";
import { inspectionOf, itemsOf, sectionHref } from "./knowledge.js";
import { T, el, field, fmt, options, today } from "./page.js";
import { pkg } from "./store.js";
import { thumb } from "./views.js";

export function renderHazardForm(inspectionId, itemId) {
  const inspection = inspectionOf(inspectionId);
  if (!inspection) return el("p", { class: "empty card", text: T.inspection_missing });
  const item = itemId === "new" ? null : itemsOf(inspection).find((i) => String(i.id) === itemId) || null;
  const key = `${inspectionId}/${itemId}`;
  openDraft(key);
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
      field("hz-occurrence", T.occurrence_link, el("select", { id: "hz-occurrence", name: "occurrence_link" }, options([{ value: "", label: "—" }, ...(pkg.occurrence_links || [])], ""))),
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
