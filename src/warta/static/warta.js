// warta: progressive enhancement only; every page works without this file.
"use strict";
(function () {
  // Story page: pointing at a fact lights up its evidence sentences in every column.
  function evidenceOf(fact) {
    return document.querySelectorAll('.column [data-fact~="' + CSS.escape(fact) + '"]');
  }
  function setActive(item, on) {
    item.classList.toggle("active", on);
    evidenceOf(item.dataset.fact).forEach(function (el) { el.classList.toggle("active", on); });
  }
  document.querySelectorAll(".facts li[data-fact]").forEach(function (item) {
    item.addEventListener("mouseenter", function () { setActive(item, true); });
    item.addEventListener("mouseleave", function () { setActive(item, false); });
    item.addEventListener("click", function () {
      var first = evidenceOf(item.dataset.fact);
      first.forEach(function (el) { el.scrollIntoView({ block: "center", inline: "nearest" }); });
    });
  });
  // Filter forms: drop empty fields so shared links stay short.
  document.querySelectorAll("form.filters").forEach(function (form) {
    form.addEventListener("submit", function () {
      Array.prototype.forEach.call(form.elements, function (el) {
        if (el.name && !el.value) { el.disabled = true; }
      });
    });
  });
})();
