// The unread count beside "Notifications" in the admin header, fetched after the page loads
// so that no admin page pays a query for it.
(function () {
  "use strict";
  var badge = document.getElementById("notifications-unread");
  if (!badge || !window.fetch) return;
  fetch(badge.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (data) {
      if (!data || !data.unread) return;
      badge.textContent = data.unread > 99 ? "99+" : String(data.unread);
      badge.hidden = false;
      badge.title = data.unread + " unread";
    })
    .catch(function () { /* the link still works without its count */ });
})();
