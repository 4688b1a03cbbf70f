// Publishing calendar: drag a post (real pointer events, no library) onto another day to
// reschedule it. The post keeps its wall time in its own zone: the server shifts it by the
// number of days between the two cells. Posts the form to the post's data-move-url with the
// CSRF token from the calendar's data-csrf; a refusal (already claimed, over budget) is shown
// above the calendar. Without this script, each post's "Move" form does the same.
(function () {
  "use strict";
  var root, csrf, item = null, ghost = null, startX = 0, startY = 0, moved = false, over = null;

  function dayAt(x, y) {
    if (ghost) { ghost.style.display = "none"; }
    var element = document.elementFromPoint(x, y);
    if (ghost) { ghost.style.display = ""; }
    return element ? element.closest("#pub-calendar-grid td.cal-day[data-date]") : null;
  }

  function highlight(day) {
    if (over === day) { return; }
    if (over) { over.classList.remove("cal-drop"); }
    over = day;
    if (over) { over.classList.add("cal-drop"); }
  }

  function show(message) {
    var box = document.getElementById("calendar-messages");
    box.textContent = message;
    box.hidden = false;
    box.scrollIntoView({ block: "nearest" });
  }

  function move(post, date) {
    var body = new URLSearchParams();
    body.set("date", date);
    body.set("from", post.dataset.date);
    post.classList.add("cal-dragging");
    fetch(post.dataset.moveUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "X-CSRFToken": csrf,
        "Accept": "application/json",
        "Content-Type": "application/x-www-form-urlencoded"
      },
      body: body.toString()
    }).then(function (response) {
      var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (!json) {
        return { ok: false, data: { error: { message: "The server refused the move (HTTP " + response.status + "): reload the page and try again." } } };
      }
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (answer) {
      if (answer.ok) {
        window.location.reload();
        return;
      }
      post.classList.remove("cal-dragging");
      show(answer.data && answer.data.error ? answer.data.error.message : "The post could not be moved.");
    }).catch(function () {
      post.classList.remove("cal-dragging");
      show("The post could not be moved (network error); try again or use its Move form.");
    });
  }

  function end() {
    if (ghost) { ghost.remove(); ghost = null; }
    if (item) { item.classList.remove("cal-dragging"); }
    highlight(null);
    item = null;
    moved = false;
  }

  function onDown(event) {
    if (event.button !== 0) { return; }
    if (event.target.closest("a, details, input, button, label, summary")) { return; }
    var post = event.target.closest("#pub-calendar-grid .cal-post[data-move-url]");
    if (!post) { return; }
    item = post;
    startX = event.clientX;
    startY = event.clientY;
    moved = false;
  }

  function onMove(event) {
    if (!item) { return; }
    if (!moved) {
      if (Math.abs(event.clientX - startX) + Math.abs(event.clientY - startY) < 6) { return; }
      moved = true;
      ghost = item.cloneNode(true);
      ghost.classList.add("cal-ghost");
      ghost.removeAttribute("data-move-url");
      ghost.style.width = item.offsetWidth + "px";
      document.body.appendChild(ghost);
      item.classList.add("cal-dragging");
    }
    event.preventDefault();
    ghost.style.left = (event.clientX + 6) + "px";
    ghost.style.top = (event.clientY + 6) + "px";
    highlight(dayAt(event.clientX, event.clientY));
  }

  function onUp(event) {
    if (!item) { return; }
    var post = item, wasMoved = moved, day = wasMoved ? dayAt(event.clientX, event.clientY) : null;
    end();
    if (day && day.dataset.date !== post.dataset.date) { move(post, day.dataset.date); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    root = document.getElementById("pub-calendar-grid");
    if (!root) { return; }
    csrf = root.dataset.csrf;
    root.dataset.ready = "1";
    root.addEventListener("pointerdown", onDown);
    document.addEventListener("pointermove", onMove);
    document.addEventListener("pointerup", onUp);
    document.addEventListener("pointercancel", end);
  });
})();
