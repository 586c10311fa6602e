// Catalogue forms: fill the HS code from a suggestion, and count text as marketplaces do.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".use-hs-code");
    if (!button) return;
    var input = document.getElementById("id_hs_code");
    if (!input) return;
    input.value = button.dataset.hsCode;
    input.focus();
  });

  // Amazon counts UTF-8 bytes: a Devanagari letter is 3 of them.
  var encoder = new TextEncoder();
  function update(field) {
    var counter = document.getElementById(field.id + "_count");
    if (!counter) return;
    var limit = Number(field.dataset.limit);
    var used = field.dataset.unit === "bytes" ? encoder.encode(field.value).length : field.value.length;
    counter.textContent = counter.dataset.template.replace("{used}", used).replace("{limit}", limit);
    counter.classList.toggle("over", used > limit);
  }
  document.querySelectorAll("[data-limit]").forEach(function (field) {
    update(field);
    field.addEventListener("input", function () { update(field); });
  });
})();

// "Use it" beside a suggested English title copies it into the field.
document.addEventListener("click", function (event) {
  var button = event.target.closest(".use-text");
  if (!button) return;
  var field = document.getElementById(button.dataset.target);
  if (!field) return;
  field.value = button.dataset.text;
  field.dispatchEvent(new Event("input"));
  field.focus();
});
