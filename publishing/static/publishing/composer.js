// The composer: live character counters per platform and the options of the chosen accounts.
// Each counter (data-counter="caption" or "title", data-limit from the server's validation
// limits) shows the length of the text as the platform receives it: the caption, a blank line,
// then the hashtags. An account's options fieldset shows while the account is ticked.
(function () {
  "use strict";

  function tags(text) {
    return text.split(/[\s,]+/).map(function (t) { return t.replace(/^#+/, ""); })
      .filter(function (t) { return t.length > 0; });
  }

  function posted(form) {
    var caption = form.querySelector("[data-caption]").value.trim();
    var hashtags = tags(form.querySelector("[data-hashtags]").value)
      .map(function (t) { return "#" + t; }).join(" ");
    return [caption, hashtags].filter(function (part) { return part.length > 0; }).join("\n\n");
  }

  function count(form) {
    var lengths = {
      caption: Array.from(posted(form)).length,
      title: Array.from(form.querySelector("[data-title]").value).length
    };
    form.querySelectorAll("[data-counter]").forEach(function (counter) {
      var length = lengths[counter.dataset.counter];
      var limit = parseInt(counter.dataset.limit, 10);
      counter.querySelector("b").textContent = String(length);
      counter.classList.toggle("pub-over", length > limit);
    });
  }

  function targets(form) {
    form.querySelectorAll("#composer-accounts input[type=checkbox]").forEach(function (box) {
      var fieldset = document.getElementById("target-" + box.value);
      if (fieldset) { fieldset.hidden = !box.checked; }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.getElementById("composer-form");
    if (!form) { return; }
    form.addEventListener("input", function () { count(form); });
    form.addEventListener("change", function () { targets(form); });
    count(form);
    targets(form);
  });
})();
