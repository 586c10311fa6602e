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

  // Staff count characters; Amazon counts UTF-8 bytes, and a Devanagari letter is 3 of them. So
  // the counter shows characters, and the limit in characters for the text as written: 200 for
  // English, fewer as Hindi letters come in (text_limits.py counts the same way).
  var encoder = new TextEncoder();
  var DEVANAGARI = /[\u0900-\u097F]/;
  function characterLimit(text, maximum) {
    var bytes = 0, count = 0;
    for (var character of text) {
      var size = encoder.encode(character).length;
      if (bytes + size > maximum) return count;
      bytes += size;
      count += 1;
    }
    // Room left, in letters of the script the text is written in.
    return count + Math.floor((maximum - bytes) / (DEVANAGARI.test(text) ? 3 : 1));
  }
  function update(field) {
    var counter = document.getElementById(field.id + "_count");
    if (!counter) return;
    var maximum = Number(field.dataset.limit);
    var used = Array.from(field.value).length;
    var limit = field.dataset.unit === "bytes" ? characterLimit(field.value, maximum) : maximum;
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
