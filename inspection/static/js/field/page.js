// The field page's fixed parts: its root element, texts and API address, and small DOM helpers.

// Modules run once the page is parsed; main.js does nothing on a page without the app.
export const root = document.getElementById("field-app");
export const T = root ? JSON.parse(document.getElementById("field-texts").textContent) : {};
export const API = root ? root.dataset.api : "";
export const view = document.getElementById("field-view");
export const PIECE = 256 * 1024;

export function fmt(template, values) {
  return template.replace(/\{(\w+)\}/g, (all, key) => (key in values ? values[key] : all));
}

export function el(tag, attrs, children) {
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

export function uuid() {
  if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function localTime(iso) {
  return new Date(iso).toLocaleString(root.dataset.locale || "zh-CN", {
    month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit",
  });
}

export function today(offsetDays) {
  const day = new Date(Date.now() + (offsetDays || 0) * 86400000);
  const local = new Date(day.getTime() - day.getTimezoneOffset() * 60000);
  return local.toISOString().slice(0, 10);
}

export function field(id, label, control, required) {
  return el("div", { class: "field" }, [
    el("label", { for: id }, [label, required ? el("span", { class: "required", "aria-hidden": "true", text: " *" }) : null]),
    control,
    counter(control),
  ]);
}

// A limited text gets a counter instead of the maxlength attribute, which cuts pasted text
// without a word; `tooLong` names the fields over their limit so saving can refuse them.
function counter(control) {
  const max = Number(control.getAttribute("maxlength"));
  if (!max) return null;
  control.removeAttribute("maxlength");
  control.dataset.maxlength = max;
  const box = el("span", { class: "counter", id: `${control.id}-counter` });
  control.setAttribute("aria-describedby", box.id);
  const update = () => {
    const length = control.value.length;
    box.textContent = length > max ? fmt(T.chars_over, { over: length - max, max }) : fmt(T.chars_count, { length, max });
    box.classList.toggle("counter--over", length > max);
  };
  control.addEventListener("input", update);
  queueMicrotask(update);
  return box;
}

export function tooLong(form) {
  return Array.from(form.querySelectorAll("[data-maxlength]"))
    .filter((control) => !control.closest("[hidden]") && control.value.length > Number(control.dataset.maxlength))
    .map((control) => {
      const label = form.querySelector(`label[for="${control.id}"]`);
      return fmt(T.too_long, { field: label ? label.firstChild.textContent : control.name, over: control.value.length - Number(control.dataset.maxlength) });
    });
}

export function options(choices, selected) {
  return choices.map((choice) => el("option", { value: choice.value, selected: choice.value === selected, text: choice.label }));
}
