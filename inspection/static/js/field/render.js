// Drawing the view the address asks for, keeping what is typed or drawn across redraws.

import { renderHazardForm } from "./hazard-form.js";
import { el, root, view } from "./page.js";
import { renderSign, signaturePad } from "./signing.js";
import { renderHome, renderInspection, renderPanel } from "./views.js";

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

export function render(force) {
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
  // A message just flashed stays through a re-render of the same view (the hash change that
  // follows a save, a sync), not onto the next view.
  const flashes = sameRoute ? view.querySelectorAll(":scope > .flash") : [];
  view.textContent = "";
  view.append(...flashes, content);
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

export function flash(message) {
  const note = el("p", { class: "flash flash--success", role: "status" });
  view.prepend(note);
  setTimeout(() => { note.textContent = message; }, 50);
  setTimeout(() => note.remove(), 6000);
}
