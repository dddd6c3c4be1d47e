/* Selecting text in a variant fills the phrase and its start/end offsets (in code points, as Python
   counts them) on the decision form; typing a phrase by hand drops the offsets (the server finds it). */
(function () {
  var form = document.querySelector("[data-testid=decide] form");
  if (!form) { return; }
  var phrase = form.elements.phrase, target = form.elements.anchor_target;
  var start = form.elements.anchor_start, end = form.elements.anchor_end;
  function points(text) { return Array.from(text).length; }
  function capture() {
    var selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return; }
    var range = selection.getRangeAt(0);
    var box = range.commonAncestorContainer;
    box = box.nodeType === 1 ? box : box.parentNode;
    var text = box && box.closest(".variant-text");
    if (!text || !text.contains(range.endContainer)) { return; }
    var before = document.createRange();
    before.setStart(text, 0);
    before.setEnd(range.startContainer, range.startOffset);
    var from = points(before.toString()), chosen = range.toString();
    if (!chosen) { return; }
    phrase.value = chosen;
    target.value = text.dataset.target;
    start.value = from;
    end.value = from + points(chosen);
  }
  document.addEventListener("mouseup", capture);
  document.addEventListener("keyup", capture);
  phrase.addEventListener("input", function () { target.value = start.value = end.value = ""; });
})();
