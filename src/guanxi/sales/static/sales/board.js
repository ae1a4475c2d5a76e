// The deal board: drag a card to another stage; the server decides. A refused or stale move puts the
// card back where it was and says why.
(function () {
  "use strict";

  function csrfToken() { return document.body.dataset.csrf; }

  function show(message, ok) {
    var box = document.getElementById("board-message");
    box.textContent = message;
    box.className = "alert " + (ok ? "alert-success" : "alert-danger");
  }

  function adjustCount(container, delta) {
    var column = container.closest(".gx-board-column");
    if (!column) return;
    var badge = column.querySelector("[data-count]");
    badge.textContent = String(Math.max(0, parseInt(badge.textContent, 10) + delta));
  }

  function putBack(evt) {
    var reference = evt.from.children[evt.oldIndex] || null;
    evt.from.insertBefore(evt.item, reference);
  }

  function move(evt, extra) {
    var board = document.getElementById("board");
    var card = evt.item;
    var body = new URLSearchParams();
    body.set("stage", evt.to.dataset.stage);
    body.set("version", card.dataset.version);
    Object.keys(extra || {}).forEach(function (key) { body.set(key, extra[key]); });
    var url = board.dataset.moveUrl.replace("/0/", "/" + card.dataset.id + "/");
    fetch(url, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (result) {
      if (result.status === 200) {
        card.dataset.version = result.data.version;
        adjustCount(evt.from, -1);
        if (evt.to.classList.contains("gx-drop")) { card.remove(); } else { adjustCount(evt.to, 1); }
        show(result.data.message, true);
      } else {
        if (result.data.version) card.dataset.version = result.data.version;
        putBack(evt);
        show(result.data.message, false);
      }
    }).catch(function () {
      putBack(evt);
      show(board.dataset.errorText || "", false);
    });
  }

  function askLostReason(evt) {
    var modalEl = document.getElementById("board-lost-modal");
    var form = document.getElementById("board-lost-form");
    var modal = window.bootstrap ? window.bootstrap.Modal.getOrCreateInstance(modalEl) : null;
    function cleanup() {
      form.removeEventListener("submit", onSubmit);
      modalEl.querySelector("[data-cancel]").removeEventListener("click", onCancel);
      if (modal) modal.hide(); else modalEl.style.display = "none";
    }
    function onSubmit(e) {
      e.preventDefault();
      var data = new FormData(form);
      cleanup();
      move(evt, { lost_reason: data.get("lost_reason") || "", lost_note: data.get("lost_note") || "" });
    }
    function onCancel() { cleanup(); putBack(evt); }
    form.addEventListener("submit", onSubmit);
    modalEl.querySelector("[data-cancel]").addEventListener("click", onCancel);
    if (modal) modal.show(); else modalEl.style.display = "block";
  }

  document.addEventListener("DOMContentLoaded", function () {
    var board = document.getElementById("board");
    if (!board || board.dataset.canEdit !== "1" || !window.Sortable) return;
    document.querySelectorAll(".gx-board-cards").forEach(function (container) {
      window.Sortable.create(container, {
        group: "deals", animation: 150, sort: false, draggable: ".gx-deal-card",
        onAdd: function (evt) {
          if (evt.to.dataset.lost) { askLostReason(evt); } else { move(evt); }
        }
      });
    });
  });
})();
