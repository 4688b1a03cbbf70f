// Video previews on the trial board, without inline handlers (the CSP forbids them): a link
// with data-embed="<player URL>" opens (or closes) the platform's player in a row below its
// own, instead of leaving the page. Without this script the link opens the post on the
// platform. The player is created on demand, so a page of thumbnails loads no player.
(function () {
  "use strict";
  function toggle(link) {
    var row = link.closest("tr");
    var next = row.nextElementSibling;
    if (next && next.classList.contains("co-preview-row")) {
      next.remove();
      link.setAttribute("aria-expanded", "false");
      return;
    }
    var preview = document.createElement("tr");
    preview.className = "co-preview-row";
    var cell = document.createElement("td");
    cell.colSpan = row.children.length;
    var frame = document.createElement("iframe");
    frame.src = link.dataset.embed;
    frame.title = "Video preview";
    frame.loading = "lazy";
    // YouTube's player refuses to play without the embedding page's origin as referrer.
    frame.referrerPolicy = "strict-origin-when-cross-origin";
    frame.allow = "autoplay; encrypted-media; fullscreen; picture-in-picture";
    frame.setAttribute("allowfullscreen", "");
    cell.appendChild(frame);
    preview.appendChild(cell);
    row.after(preview);
    link.setAttribute("aria-expanded", "true");
  }
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-embed]");
    if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) {
      return;
    }
    event.preventDefault();
    toggle(link);
  });
})();
