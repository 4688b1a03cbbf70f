// The content board (workflow/admin_board.py): drag a card to another column or to another
// place in its column, and the move is POSTed to the board's move endpoint; a refused move
// puts the card back where it was and shows the rule that refused it on the card. The cards'
// buttons post the same move without JavaScript. No inline script: the CSP forbids them.
"use strict";
(function () {
  function cookie(name) {
    const found = document.cookie.split(";").map((c) => c.trim())
      .find((c) => c.startsWith(name + "="));
    return found ? decodeURIComponent(found.slice(name.length + 1)) : "";
  }

  function cards(list) {
    return Array.from(list.children).filter((el) => el.classList.contains("kb-card"));
  }

  function setCount(column, delta) {
    const count = column.querySelector(".kb-count");
    if (!count) {
      return;
    }
    const value = parseInt(count.dataset.count || "0", 10) + delta;
    count.dataset.count = String(value);
    count.textContent = value.toLocaleString("en-US");
  }

  function showError(card, message) {
    let box = card.querySelector(".kb-error");
    if (!box) {
      box = document.createElement("p");
      box.className = "kb-error";
      box.setAttribute("role", "alert");
      card.appendChild(box);
    }
    box.textContent = message;
  }

  function clearError(card) {
    const box = card.querySelector(".kb-error");
    if (box) {
      box.remove();
    }
  }

  function putBack(card, from, oldIndex) {
    const siblings = cards(from).filter((el) => el !== card);
    from.insertBefore(card, siblings[oldIndex] || null);
  }

  function move(board, evt) {
    const card = evt.item;
    const from = evt.from;
    const to = evt.to;
    if (from === to && evt.oldIndex === evt.newIndex) {
      return;
    }
    let note = "";
    if (from !== to && to.dataset.column === "needs_changes") {
      // "Ask for changes" needs a note saying what to change (the moves' rule).
      const asked = window.prompt("What should change?");
      if (asked === null) {
        putBack(card, from, evt.oldIndex);
        return;
      }
      note = asked;
    }
    const placed = cards(to);
    const index = placed.indexOf(card);
    const after = index > 0 ? placed[index - 1].dataset.task : "";
    const before = index < placed.length - 1 ? placed[index + 1].dataset.task : "";
    const body = new URLSearchParams({
      task: card.dataset.task,
      to: to.dataset.column,
      position: String(index),
      after: after,
      before: before,
      note: note,
    });
    clearError(card);
    card.classList.add("kb-busy");
    fetch(board.dataset.moveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Accept": "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
        "X-CSRFToken": board.dataset.csrf || cookie("csrftoken"),
      },
      body: body,
    }).then(function (response) {
      return response.json().catch(function () {
        return {error: {message: "The server did not answer (" + response.status + ")."}};
      }).then(function (data) {
        return {ok: response.ok, data: data};
      });
    }).catch(function () {
      return {ok: false, data: {error: {message: "The move could not be sent; try again."}}};
    }).then(function (result) {
      card.classList.remove("kb-busy");
      if (!result.ok) {
        putBack(card, from, evt.oldIndex);
        showError(card, (result.data.error && result.data.error.message) || "Move refused.");
        return;
      }
      if (from !== to) {
        setCount(from.closest(".kb-column"), -1);
        setCount(to.closest(".kb-column"), +1);
      }
      if (result.data.card) {
        const template = document.createElement("template");
        template.innerHTML = result.data.card.trim();
        const fresh = template.content.firstElementChild;
        if (fresh) {
          card.replaceWith(fresh);
          watchThumbnails(fresh);
        }
      }
    });
  }

  // A thumbnail whose file is gone leaves an empty square, not a broken-image icon.
  function watchThumbnails(root) {
    root.querySelectorAll("img.kb-thumb").forEach(function (img) {
      if (img.complete && img.naturalWidth === 0) {
        img.classList.add("kb-thumb-missing");
      } else {
        img.addEventListener("error", function () { img.classList.add("kb-thumb-missing"); });
      }
    });
  }

  function start() {
    const board = document.getElementById("kanban-board");
    if (!board) {
      return;
    }
    watchThumbnails(board);
    if (!window.Sortable) {
      return;
    }
    board.classList.add("kb-draggable");
    board.querySelectorAll(".kb-cards").forEach(function (list) {
      window.Sortable.create(list, {
        group: "kanban",
        draggable: ".kb-card",
        filter: "form, button, a, .kb-error",
        preventOnFilter: false,
        animation: 120,
        forceFallback: true,
        fallbackTolerance: 4,
        ghostClass: "kb-ghost",
        chosenClass: "kb-chosen",
        dragClass: "kb-drag",
        onEnd: function (evt) {
          move(board, evt);
        },
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
