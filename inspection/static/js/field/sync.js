// Preparing for offline and syncing: the session, the day's package, photos in resumable
// pieces, then the records in order, each answered by the server.

import { pendingOf, pendingPhotos } from "./knowledge.js";
import { API, PIECE, T, el, fmt, localTime, root } from "./page.js";
import { render } from "./render.js";
import { forgetLoosePhotos, load, records, settle, store } from "./store.js";

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

export function progress(text) {
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

export async function prepare() {
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

export function scheduleSync() {
  if (syncing) {
    wanted = true;
    return;
  }
  clearTimeout(syncTimer);
  if (navigator.onLine) syncTimer = setTimeout(sync, 800);
}

// The server takes a photo's time from 2000 to a day ahead of its clock; a file dated outside
// that (a camera whose clock was never set) is sent without a time rather than refused.
function photoTime(takenAt) {
  const moment = Date.parse(takenAt || "");
  return moment >= Date.UTC(2000, 0, 1) && moment <= Date.now() + 86400000 ? takenAt : null;
}

async function uploadPhoto(photo) {
  let reply = await api("/photos", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({
      id: photo.id, inspection: photo.inspection, size: photo.size, sha256: photo.sha256,
      filename: (photo.name || "photo.jpg").slice(0, 200), taken_at: photoTime(photo.taken_at),
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
export function sync() {
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

export async function dismiss(id) {
  const record = records.find((r) => r.id === id);
  if (!record) return;
  record.note_seen = true;
  await store.put("records", record);
  await forgetLoosePhotos();
  await load();
  render(true);
}
