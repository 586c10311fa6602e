// Shows the names of the files chosen in a FilePicker (niryat/core/widgets.py), in place of the
// browser's own text, which follows the browser's language rather than the page's.
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
  const picker = input.closest(".file-picker");
  const output = picker && picker.querySelector(".file-picker-names");
  if (!output) return;
  if (!output.dataset.empty) output.dataset.empty = output.textContent;
  const names = Array.from(input.files || [], (file) => file.name);
  output.textContent = names.length ? names.join(", ") : output.dataset.empty;
});
