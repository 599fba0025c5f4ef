/* "People I met" (templates/contacts/met.html): each person added is kept in this phone's
   IndexedDB under a key drawn here (a UUID), listed as waiting, and sent to the sync endpoint
   whenever there is a connection (on load, when the phone comes back online, after each
   addition, or with "Send now"). The server adds each key's person once and answers which keys
   it saved, so a lost answer or a second tab never makes a duplicate: an entry leaves the
   queue only once the server has said it is saved. An entry the server refuses stays, with the
   reason, until it is corrected or removed. Without JavaScript the form is a plain POST.

   Also: the service worker that lets the page open offline (registered here, the worker is
   templates/contacts/met_sw.js), and "Scan a card" (static/js/qr_camera.js reads the QR code,
   static/js/contact_card.js turns it into the form's fields). No inline scripts (CSP). */
(function () {
  "use strict";
  var root = document.getElementById("met");
  var form = document.getElementById("met-form");
  if (!root || !form) return;

  var owner = root.dataset.owner;
  var syncUrl = root.dataset.syncUrl;
  var FIELDS = ["name", "organization_name", "title", "email", "phone", "linkedin_url", "event", "notes"];
  var BATCH = 25; // entries per request (the server takes at most 50)

  var texts = {};
  var template = document.getElementById("met-texts");
  if (template) {
    template.content.querySelectorAll("[data-text]").forEach(function (node) {
      texts[node.dataset.text] = node.textContent.trim();
    });
  }
  function text(name, values) {
    return (texts[name] || name).replace(/\{(\w+)\}/g, function (match, key) {
      return values && key in values ? values[key] : match;
    });
  }

  var connection = document.getElementById("met-connection");
  var problem = document.getElementById("met-form-problem");
  var problemText = problem.textContent;
  var queueSection = document.getElementById("met-queue");
  var queueList = document.getElementById("met-queue-list");
  var queueStatus = document.getElementById("met-queue-status");
  var sendButton = document.getElementById("met-send");
  var added = document.getElementById("met-added");

  function newKey() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = window.crypto.getRandomValues(new Uint8Array(16));
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(bytes, function (b) {
        return (b + 0x100).toString(16).slice(1);
      })
      .join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  // --- The queue: IndexedDB, or this page's memory where the browser refuses it -------------

  var DB_NAME = "rapport-met";
  var STORE = "entries";
  var memory = null;

  var database = new Promise(function (resolve, reject) {
    if (!window.indexedDB) return reject(new Error("no IndexedDB"));
    var request = window.indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = function () {
      request.result.createObjectStore(STORE, { keyPath: "key" });
    };
    request.onsuccess = function () {
      resolve(request.result);
    };
    request.onerror = function () {
      reject(request.error);
    };
  }).catch(function () {
    memory = {};
    say(connection, text("noStorage"));
    return null;
  });

  function inStore(mode, work) {
    return database.then(function (db) {
      if (!db) return work(null);
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, mode);
        var result = work(transaction.objectStore(STORE));
        transaction.oncomplete = function () {
          resolve(result && "result" in result ? result.result : result);
        };
        transaction.onerror = function () {
          reject(transaction.error);
        };
        transaction.onabort = function () {
          reject(transaction.error);
        };
      });
    });
  }

  function mine() {
    return inStore("readonly", function (store) {
      return store ? store.getAll() : Object.values(memory);
    }).then(function (entries) {
      return entries
        .filter(function (entry) {
          return String(entry.owner) === owner;
        })
        .sort(function (a, b) {
          return a.addedAt - b.addedAt;
        });
    });
  }

  function keep(entry) {
    return inStore("readwrite", function (store) {
      if (store) store.put(entry);
      else memory[entry.key] = entry;
    });
  }

  function drop(keys) {
    return inStore("readwrite", function (store) {
      keys.forEach(function (key) {
        if (store) store.delete(key);
        else delete memory[key];
      });
    });
  }

  // --- What the page shows -------------------------------------------------------------------

  function say(node, message) {
    if (!node) return;
    node.textContent = message || "";
    node.hidden = !message;
  }

  function online() {
    return navigator.onLine !== false;
  }

  function showConnection() {
    if (!online()) say(connection, text("offline"));
    else if (root.dataset.offlineReady === "true") say(connection, text("offlineReady"));
    else say(connection, "");
  }

  function entryLine(entry) {
    var item = document.createElement("li");
    item.className = "met-entry" + (entry.state === "invalid" ? " met-entry-invalid" : "");
    item.dataset.key = entry.key;
    var who = document.createElement("strong");
    who.textContent = entry.fields.name;
    item.appendChild(who);
    if (entry.fields.organization_name) {
      item.appendChild(document.createTextNode(" · " + entry.fields.organization_name));
    }
    item.appendChild(document.createTextNode(" "));
    var badge = document.createElement("span");
    badge.className = "badge " + (entry.state === "invalid" ? "badge-error" : "badge-warning");
    badge.textContent = entry.state === "invalid" ? text("notSaved") : text("waiting");
    item.appendChild(badge);
    if (entry.state === "invalid") {
      var reason = document.createElement("p");
      reason.className = "met-reason";
      reason.textContent = entry.reason || "";
      item.appendChild(reason);
      var buttons = document.createElement("div");
      buttons.className = "button-row";
      [
        ["edit", edit],
        ["remove", remove],
      ].forEach(function (action) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "secondary";
        button.textContent = text(action[0]);
        button.setAttribute("aria-label", text(action[0]) + ": " + entry.fields.name);
        button.addEventListener("click", function () {
          action[1](entry);
        });
        buttons.appendChild(button);
      });
      item.appendChild(buttons);
    }
    return item;
  }

  function render(message) {
    return mine().then(function (entries) {
      queueList.replaceChildren.apply(queueList, entries.map(entryLine));
      queueSection.hidden = entries.length === 0;
      var waiting = entries.filter(function (entry) {
        return entry.state !== "invalid";
      }).length;
      var lines = [];
      if (message) lines.push(message);
      if (waiting) {
        lines.push(waiting === 1 ? text("countOne") : text("countMany", { count: waiting }));
        if (!online()) lines.push(text("willSend"));
      }
      if (entries.length > waiting) lines.push(text("fix"));
      queueStatus.textContent = lines.join(" ");
      sendButton.hidden = waiting === 0 || !online();
      return entries;
    });
  }

  // --- Adding someone ------------------------------------------------------------------------

  function field(name) {
    return form.elements.namedItem(name);
  }

  function clearErrors() {
    form.querySelectorAll(".met-client-error").forEach(function (node) {
      node.remove();
    });
    form.querySelectorAll("[aria-invalid]").forEach(function (input) {
      input.removeAttribute("aria-invalid");
    });
    problem.hidden = true;
  }

  function markInvalid(input, message) {
    var note = document.createElement("p");
    note.className = "errorlist met-client-error";
    note.id = input.id + "-client-error";
    note.textContent = message;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", note.id);
    input.insertAdjacentElement("afterend", note);
  }

  // What the server would refuse at once is refused here, while the person is still there.
  function check() {
    clearErrors();
    var name = field("name");
    var email = field("email");
    var first = null;
    if (!name.value.trim()) {
      markInvalid(name, text("nameRequired"));
      first = first || name;
    }
    if (email && email.value.trim() && email.checkValidity && !email.checkValidity()) {
      markInvalid(email, text("emailInvalid"));
      first = first || email;
    }
    if (first) {
      say(problem, problemText);
      first.focus();
    }
    return !first;
  }

  function typed() {
    var fields = {};
    FIELDS.forEach(function (name) {
      var input = field(name);
      if (input) fields[name] = input.value.trim();
    });
    return fields;
  }

  form.addEventListener("input", function () {
    say(added, "");
  });

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    if (!check()) return;
    var entry = {
      key: field("key").value,
      owner: owner,
      addedAt: Date.now(),
      fields: typed(),
      state: "waiting",
    };
    keep(entry).then(function () {
      form.reset();
      field("key").value = newKey();
      field("name").focus();
      say(added, text("added", { name: entry.fields.name }));
      render();
      if (online()) sync();
    });
  });

  function edit(entry) {
    clearErrors();
    FIELDS.forEach(function (name) {
      var input = field(name);
      if (input) input.value = entry.fields[name] || "";
    });
    // The same key: the server never saved it, and saving it now must still happen once.
    field("key").value = entry.key;
    say(problem, text("editing"));
    field("name").focus();
  }

  function remove(entry) {
    drop([entry.key]).then(function () {
      render();
      field("name").focus();
    });
  }

  // The key the server put in the page would be the same in every copy of it kept offline.
  field("key").value = newKey();

  // --- Sync ----------------------------------------------------------------------------------

  function Refusal(kind) {
    this.kind = kind;
  }

  function json(response) {
    var type = response.headers.get("Content-Type") || "";
    // Signed out: the endpoint redirects to the login page, which fetch follows.
    if (response.redirected) throw new Refusal("signedOut");
    if (type.indexOf("application/json") === -1) throw new Refusal("failed");
    return response.json().then(function (body) {
      if (response.status === 409) throw new Refusal("otherAccount");
      if (!response.ok) throw new Refusal("failed");
      return body;
    });
  }

  function send(batch, token) {
    return fetch(syncUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
      body: JSON.stringify({
        owner: Number(owner),
        entries: batch.map(function (entry) {
          return Object.assign({ key: entry.key }, entry.fields);
        }),
      }),
    })
      .then(json)
      .then(function (answer) {
        var refused = {};
        (answer.invalid || []).forEach(function (item) {
          refused[item.key] = item.reason;
        });
        var changes = batch
          .filter(function (entry) {
            return entry.key in refused;
          })
          .map(function (entry) {
            entry.state = "invalid";
            entry.reason = refused[entry.key];
            return keep(entry);
          });
        var saved = answer.saved || [];
        changes.push(drop(saved));
        return Promise.all(changes).then(function () {
          return saved.length;
        });
      });
  }

  function sendAll(entries) {
    return fetch(syncUrl, { credentials: "same-origin", headers: { Accept: "application/json" }, cache: "no-store" })
      .then(json)
      .then(function (who) {
        if (String(who.owner) !== owner) throw new Refusal("otherAccount");
        var sent = 0;
        var chain = Promise.resolve();
        for (var start = 0; start < entries.length; start += BATCH) {
          (function (batch) {
            chain = chain
              .then(function () {
                return send(batch, who.csrf_token);
              })
              .then(function (count) {
                sent += count;
              });
          })(entries.slice(start, start + BATCH));
        }
        return chain.then(function () {
          return sent;
        });
      });
  }

  var syncing = null;
  var again = false;

  function sync() {
    if (syncing) {
      again = true;
      return syncing;
    }
    syncing = mine()
      .then(function (entries) {
        var due = entries.filter(function (entry) {
          return entry.state !== "invalid";
        });
        if (!due.length) return null;
        root.dataset.syncing = "true";
        queueStatus.textContent = text("sending");
        return sendAll(due).then(
          function (sent) {
            if (sent) refreshRecent();
            return render(sent === 1 ? text("sentOne") : sent ? text("sentMany", { count: sent }) : "");
          },
          function (error) {
            return render(text(error instanceof Refusal ? error.kind : "failed"));
          }
        );
      })
      .catch(function () {})
      .then(function () {
        delete root.dataset.syncing;
        syncing = null;
        if (again) {
          again = false;
          sync();
        }
      });
    return syncing;
  }

  // The people added recently (htmx, templates/contacts/_met_recent.html), only when online.
  function refreshRecent() {
    document.body.dispatchEvent(new CustomEvent("met-refresh"));
  }

  sendButton.addEventListener("click", function () {
    sync();
  });
  window.addEventListener("online", function () {
    showConnection();
    refreshRecent();
    sync();
  });
  window.addEventListener("offline", function () {
    showConnection();
    render();
  });

  // --- The service worker: this page opens offline -------------------------------------------

  function keepOfflineCopy(registration) {
    var worker = registration.active;
    if (!worker || !online() || !window.MessageChannel) return;
    var channel = new MessageChannel();
    channel.port1.onmessage = function (event) {
      if (event.data && event.data.cached) {
        root.dataset.offlineReady = "true";
        showConnection();
      }
    };
    worker.postMessage({ type: "cache-shell" }, [channel.port2]);
  }

  if ("serviceWorker" in navigator && root.dataset.swUrl) {
    navigator.serviceWorker
      .register(root.dataset.swUrl, { scope: root.dataset.swScope })
      .then(function () {
        return navigator.serviceWorker.ready;
      })
      .then(keepOfflineCopy)
      .catch(function () {}); // the page works without it, online
  }

  // --- Scan a card ---------------------------------------------------------------------------

  var scan = document.getElementById("met-scan");
  if (scan && window.RapportQrCamera && window.RapportQrCamera.supported() && window.RapportContactCard) {
    var toggle = document.getElementById("met-scan-toggle");
    var scanStatus = document.getElementById("met-scan-status");
    var lastNotACard = "";
    var camera = null;

    var stopScan = function (message) {
      camera.stop();
      toggle.textContent = text("scan");
      toggle.disabled = false;
      if (message) scanStatus.textContent = message;
    };

    var fill = function (card) {
      Object.keys(card).forEach(function (name) {
        var input = field(name);
        if (!input) return;
        if (name === "notes" && input.value.trim()) input.value = input.value.trim() + "\n" + card.notes;
        else input.value = card[name];
      });
    };

    var read = function (found) {
      var card = window.RapportContactCard.parse(found, { website: text("website") });
      if (!card) {
        if (found !== lastNotACard) scanStatus.textContent = text("scanNotACard");
        lastNotACard = found;
        return;
      }
      fill(card);
      stopScan(text("scanFilled"));
      clearErrors();
      field("name").focus();
    };

    camera = window.RapportQrCamera.create({
      video: document.getElementById("met-scan-video"),
      jsqrSrc: root.dataset.jsqrSrc,
      onText: read,
    });
    scan.hidden = false;

    var explain = function (error) {
      var name = error && error.name;
      if (name === "NotAllowedError" || name === "SecurityError") return text("cameraNotAllowed");
      if (name === "NotFoundError" || name === "OverconstrainedError") return text("cameraMissing");
      if (name === "NotReadableError") return text("cameraBusy");
      return text("cameraFailed");
    };

    toggle.addEventListener("click", function () {
      if (camera.running()) return stopScan(text("scanStopped"));
      toggle.disabled = true;
      scanStatus.textContent = text("scanStarting");
      lastNotACard = "";
      camera.start().then(
        function (decoder) {
          scan.dataset.decoder = decoder;
          toggle.textContent = text("scanStop");
          toggle.disabled = false;
          scanStatus.textContent = text("scanLooking");
        },
        function (error) {
          stopScan(explain(error));
        }
      );
    });
    document.addEventListener("visibilitychange", function () {
      if (document.hidden && camera.running()) stopScan(text("scanStopped"));
    });
  }

  showConnection();
  render().then(function () {
    if (online()) sync();
  });
  // After htmx has read the page (it does so on DOMContentLoaded, which follows this script).
  document.addEventListener("DOMContentLoaded", function () {
    if (online()) refreshRecent();
  });
})();
