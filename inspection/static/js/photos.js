// Photos on a tablet: shrink in the browser (long side ~2048 px), upload one by one with
// progress and retry, and hand the server's photo ids to the form. Without this script the
// form posts the original files, which the server accepts too.
(function () {
  "use strict";

  var LONG_SIDE = 2048;
  var QUALITY = 0.85;
  var position = null;

  function locate() {
    if (!navigator.geolocation || position) { return; }
    navigator.geolocation.getCurrentPosition(function (p) {
      position = { latitude: p.coords.latitude, longitude: p.coords.longitude };
    }, function () { /* no location: the photo is kept without one */ },
    { enableHighAccuracy: true, timeout: 10000, maximumAge: 60000 });
  }

  function shrink(file) {
    if (!window.createImageBitmap || !/^image\/(jpeg|png|webp)$/.test(file.type)) {
      return Promise.resolve(file);
    }
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, LONG_SIDE / Math.max(bitmap.width, bitmap.height));
      if (scale === 1 && file.type === "image/jpeg" && file.size < 1500000) {
        bitmap.close();
        return file;
      }
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      bitmap.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) { resolve(blob || file); }, "image/jpeg", QUALITY);
      });
    }).catch(function () { return file; });
  }

  function send(upload) {
    var data = new FormData();
    data.append("csrf_token", upload.token);
    data.append("photo", upload.blob, upload.name);
    data.append("taken_at", upload.takenAt);
    if (upload.itemId) { data.append("item_id", upload.itemId); }
    if (position) {
      data.append("latitude", position.latitude);
      data.append("longitude", position.longitude);
    }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", upload.url);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) { upload.bar.value = e.loaded / e.total; }
    };
    xhr.onload = function () {
      var body = {};
      try { body = JSON.parse(xhr.responseText); } catch (ignore) { body = {}; }
      if (upload.removed) { upload.pending.count -= 1; return; }
      if (xhr.status === 200 && body.id) { done(upload, body); } else { failed(upload, body.error); }
    };
    xhr.onerror = function () { failed(upload, null); };
    xhr.onabort = function () { upload.pending.count -= 1; };
    upload.xhr = xhr;
    upload.entry.classList.remove("upload--failed");
    upload.status.textContent = upload.messages.sending;
    upload.retry.hidden = true;
    upload.pending.count += 1;
    xhr.send(data);
  }

  function done(upload, body) {
    upload.pending.count -= 1;
    upload.bar.value = 1;
    upload.bar.hidden = true;
    upload.id = body.id;
    upload.status.textContent = upload.messages.done;
    upload.entry.classList.remove("upload--failed");
    upload.entry.classList.add("upload--done");
    upload.retry.hidden = true;
    upload.image.src = body.thumb;
    if (upload.fieldName) {
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = upload.fieldName;
      hidden.value = body.id;
      upload.form.appendChild(hidden);
      upload.hidden = hidden;
    }
    upload.onDone(body);
  }

  function failed(upload, message) {
    upload.pending.count -= 1;
    upload.entry.classList.add("upload--failed");
    upload.status.textContent = message || upload.messages.failed;
    upload.retry.hidden = false;
    upload.onDone();
  }

  // Take a photo back before the record is saved: the tile goes, and a photo already uploaded
  // is discarded on the server (it belongs to nothing yet, or only to the item's answer).
  function remove(upload) {
    if (upload.xhr && !upload.id) { upload.xhr.abort(); }
    if (upload.hidden) { upload.hidden.remove(); }
    upload.entry.remove();
    upload.removed = true;
    if (upload.id) {
      var data = new FormData();
      data.append("csrf_token", upload.token);
      var xhr = new XMLHttpRequest();
      xhr.open("POST", upload.url + "/" + upload.id + "/remove");
      xhr.setRequestHeader("Accept", "application/json");
      xhr.send(data);
    }
    upload.onDone();
  }

  function csrfToken(form) {
    var field = form.querySelector("[name$=csrf_token]");
    var meta = document.querySelector("meta[name=csrf-token]");
    return field ? field.value : (meta ? meta.content : "");
  }

  // The picker's own line says how many photos are uploaded, uploading or failed.
  function describe(input, list) {
    var status = input.closest(".photo-picker").querySelector(".photo-picker__status");
    if (!status) { return; }
    var done = list.querySelectorAll(".upload--done").length;
    var failedCount = list.querySelectorAll(".upload--failed").length;
    var all = list.querySelectorAll(".upload").length;
    var parts = [];
    if (done) { parts.push(done === 1 ? status.dataset.uploadedOne : status.dataset.uploaded.replace("{n}", done)); }
    if (all - done - failedCount) { parts.push(status.dataset.sending.replace("{n}", all - done - failedCount)); }
    if (failedCount) { parts.push(status.dataset.failed.replace("{n}", failedCount)); }
    status.textContent = parts.length ? parts.join(" · ") : status.dataset.none;
  }

  function enhance(input) {
    var form = input.form;
    var url = input.dataset.uploadUrl;
    var picker = input.closest(".photo-picker");
    var list = picker.nextElementSibling;
    if (!list || !list.classList.contains("uploads")) {
      list = document.createElement("ul");
      list.className = "uploads";
      list.setAttribute("aria-live", "polite");
      picker.insertAdjacentElement("afterend", list);
    }
    var pending = form.uploadsPending || (form.uploadsPending = { count: 0 });
    // Photos the page came back with (the form was refused): removable like new ones.
    Array.prototype.forEach.call(list.querySelectorAll(".upload[data-photo-id]"), function (entry) {
      var kept = {
        id: entry.dataset.photoId, url: url, token: csrfToken(form), entry: entry,
        hidden: entry.querySelector("input[type=hidden]"),
        onDone: function () { describe(input, list); }
      };
      entry.querySelector(".upload__remove").addEventListener("click", function () { remove(kept); });
    });
    var messages = {
      sending: input.dataset.msgSending, done: input.dataset.msgDone,
      failed: input.dataset.msgFailed, retry: input.dataset.msgRetry,
      waiting: input.dataset.msgWaiting, remove: input.dataset.msgRemove
    };
    input.addEventListener("change", function () {
      locate();
      Array.prototype.forEach.call(input.files || [], function (file) {
        var entry = document.createElement("li");
        entry.className = "upload";
        var image = document.createElement("img");
        image.alt = file.name;
        image.src = URL.createObjectURL(file);
        var bar = document.createElement("progress");
        bar.max = 1;
        bar.value = 0;
        bar.setAttribute("aria-label", file.name);
        var status = document.createElement("span");
        status.className = "upload__status";
        var actions = document.createElement("span");
        actions.className = "upload__actions";
        var retry = document.createElement("button");
        retry.type = "button";
        retry.className = "button";
        retry.textContent = messages.retry;
        retry.hidden = true;
        var drop = document.createElement("button");
        drop.type = "button";
        drop.className = "button upload__remove";
        drop.textContent = messages.remove;
        drop.setAttribute("aria-label", messages.remove + " " + file.name);
        actions.append(retry, drop);
        entry.append(image, bar, status, actions);
        list.appendChild(entry);
        var upload = {
          url: url, form: form, token: csrfToken(form),
          name: file.name.replace(/\.[^.]+$/, "") + ".jpg", takenAt: new Date(file.lastModified).toISOString(),
          itemId: input.dataset.itemId, fieldName: input.dataset.field, entry: entry, image: image,
          bar: bar, status: status, retry: retry, pending: pending, messages: messages,
          onDone: function (body) {
            describe(input, list);
            if (body) { input.dispatchEvent(new CustomEvent("photo-uploaded", { bubbles: true })); }
          }
        };
        retry.addEventListener("click", function () { send(upload); });
        drop.addEventListener("click", function () { remove(upload); });
        shrink(file).then(function (blob) {
          if (upload.removed) { return; }
          upload.blob = blob;
          send(upload);
          describe(input, list);
        });
      });
      input.value = "";
      describe(input, list);
    });
    form.addEventListener("submit", function (event) {
      if (pending.count > 0) {
        event.preventDefault();
        event.stopImmediatePropagation();
        var note = form.querySelector(".uploads-waiting") || document.createElement("p");
        note.className = "uploads-waiting flash";
        note.setAttribute("role", "status");
        note.textContent = messages.waiting;
        form.appendChild(note);
      }
    }, true);
  }

  // The field app shrinks its photos the same way before keeping them on the tablet.
  window.inspectionPhotos = { shrink: shrink };

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("input[data-upload-url]"), enhance);
  });
})();
