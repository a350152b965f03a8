// What the tablet keeps in IndexedDB: the day's package, the records made here and their
// photos; reading them back, making new records, and writing the server's answers onto them.

import { root, uuid } from "./page.js";

const database = new Promise((resolve, reject) => {
  const request = indexedDB.open(root.dataset.store, 1);
  request.onupgradeneeded = () => {
    const db = request.result;
    db.createObjectStore("meta");
    db.createObjectStore("records", { keyPath: "id" });
    db.createObjectStore("photos", { keyPath: "id" });
  };
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

function transact(stores, mode, work) {
  return database.then((db) => new Promise((resolve, reject) => {
    const tx = db.transaction(stores, mode);
    const result = work(tx);
    tx.oncomplete = () => resolve(result && "result" in result ? result.result : undefined);
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  }));
}

export const store = {
  get: (name, key) => transact([name], "readonly", (tx) => tx.objectStore(name).get(key)),
  all: (name) => transact([name], "readonly", (tx) => tx.objectStore(name).getAll()),
  put: (name, value, key) => transact([name], "readwrite", (tx) => {
    tx.objectStore(name).put(value, key);
  }),
  remove: (name, key) => transact([name], "readwrite", (tx) => { tx.objectStore(name).delete(key); }),
  // A record and its photos are kept together or not at all.
  keep: (record, photos) => transact(["records", "photos"], "readwrite", (tx) => {
    (photos || []).forEach((photo) => tx.objectStore("photos").put(photo));
    tx.objectStore("records").put(record);
  }),
};

export let pkg = null;
export let records = [];
export let photos = [];
// Whether the browser promised to keep this site's data (null: it cannot say).
export let storageKept = null;

export async function load() {
  pkg = (await store.get("meta", "package")) || null;
  records = (await store.all("records")).sort((a, b) => a.seq - b.seq);
  photos = await store.all("photos");
}

function nextSeq() {
  return records.reduce((max, record) => Math.max(max, record.seq), 0) + 1;
}

export function newRecord(kind, body) {
  const id = uuid();
  return {
    id, kind, seq: nextSeq(), state: "pending", created_at: new Date().toISOString(),
    body: Object.assign({ kind, id }, body),
  };
}

export async function keep(record, newPhotos) {
  await store.keep(record, newPhotos);
  await refresh();
}

// After a change kept on the tablet: show it, and send it when there is signal. main.js says
// how (drawing and syncing live in modules that read this one).
let afterChange = () => {};

export function onChange(callback) {
  afterChange = callback;
}

export async function refresh() {
  await load();
  afterChange();
}

export function photosNamedBy(list) {
  return new Set(list.flatMap((r) => (r.body.photos || []).concat(r.body.after_photos || [])));
}

// Ask the browser to keep this site's data; true when it promises to (null: it cannot say).
export async function checkStorage() {
  if (!navigator.storage || !navigator.storage.persist) return false;
  try {
    storageKept = (await navigator.storage.persisted()) || (await navigator.storage.persist());
  } catch (error) {
    storageKept = null;
  }
  return true;
}

// Photos no waiting record names any more (its record was refused and read, or they were
// refused themselves) are removed from the tablet.
export function forgetLoosePhotos() {
  return transact(["records", "photos"], "readwrite", (tx) => {
    const listed = tx.objectStore("records").getAll();
    listed.onsuccess = () => {
      const named = photosNamedBy(listed.result.filter((r) => r.state !== "accepted"));
      const kept = tx.objectStore("photos").getAllKeys();
      kept.onsuccess = () => kept.result.filter((id) => !named.has(id))
        .forEach((id) => tx.objectStore("photos").delete(id));
    };
  });
}

// Write the server's answers onto the records as they are now (never their bodies), in one go.
export function settle(changes) {
  return transact(["records"], "readwrite", (tx) => {
    const objects = tx.objectStore("records");
    changes.forEach(([id, change]) => {
      const read = objects.get(id);
      read.onsuccess = () => {
        if (!read.result) return;
        const updated = Object.assign({}, read.result, change);
        if (change.note === null) updated.note = read.result.note || null; // keep a photo's refusal
        objects.put(updated);
      };
    });
  });
}
