// The changelist's long filters (core/admin/changelist.py): typing in the box hides the values
// that do not contain the text; choosing a value applies the filter. No inline script: the CSP
// forbids them.
"use strict";
(function () {
  function setUp(form) {
    const search = form.querySelector(".co-select-filter-search");
    const select = form.querySelector("select");
    if (!search || !select) {
      return;
    }
    search.addEventListener("input", function () {
      const text = search.value.trim().toLowerCase();
      for (const option of select.options) {
        option.hidden = text !== "" && option.value !== "" &&
          !option.text.toLowerCase().includes(text);
      }
    });
    search.addEventListener("keydown", function (event) {
      if (event.key !== "Enter") {
        return;
      }
      event.preventDefault();
      const shown = Array.from(select.options).filter((o) => !o.hidden && o.value !== "");
      if (shown.length === 1) {
        select.value = shown[0].value;
        form.submit();
      }
    });
    select.addEventListener("change", function () {
      form.submit();
    });
  }
  function start() {
    document.querySelectorAll("form.co-select-filter").forEach(setUp);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
