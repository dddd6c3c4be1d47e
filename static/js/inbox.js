// The inbox item page: choosing a saved reply puts its text (already filled in for this fan) in the box.
document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-fills]");
  if (!select) return;
  const option = select.selectedOptions[0];
  const box = document.getElementById(select.dataset.fills);
  if (box && option && option.dataset.text) {
    box.value = option.dataset.text;
    box.focus();
  }
});

// Presence: while the person writes in the reply box, the page's presence poll says "replying".
document.addEventListener("input", (event) => {
  if (event.target.id !== "id_text") return;
  const state = document.getElementById("inbox-presence-state");
  if (state) state.value = event.target.value.trim() ? "1" : "";
});
