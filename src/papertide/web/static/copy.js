// Copying text that holds math gives the formulas as readable text (each <math> carries
// it in `alttext`), not the letters of its MathML boxes run together.
document.addEventListener("copy", function (event) {
  var selection = document.getSelection();
  if (!selection || selection.rangeCount === 0 || !event.clipboardData) return;
  var box = document.createElement("div");
  for (var i = 0; i < selection.rangeCount; i++) box.appendChild(selection.getRangeAt(i).cloneContents());
  var formulas = box.querySelectorAll("math[alttext]");
  if (formulas.length === 0) {
    var start = selection.anchorNode && selection.anchorNode.parentElement;
    var inside = start && start.closest("math[alttext]");
    if (!inside) return;
    event.clipboardData.setData("text/plain", inside.getAttribute("alttext"));
    event.preventDefault();
    return;
  }
  formulas.forEach(function (m) { m.replaceWith(document.createTextNode(m.getAttribute("alttext"))); });
  event.clipboardData.setData("text/plain", box.textContent.replace(/\s+/g, " ").trim());
  event.preventDefault();
});
// The Cite box's copy buttons: the text of the element named by data-copy.
document.addEventListener("click", function (event) {
  var button = event.target.closest && event.target.closest("button[data-copy]");
  if (!button) return;
  var source = document.getElementById(button.getAttribute("data-copy"));
  if (!source) return;
  var text = source.textContent;
  var done = function () { button.textContent = "Copied"; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(done, function () { fallback(source); done(); });
  } else { fallback(source); done(); }
  function fallback(node) {
    var range = document.createRange();
    range.selectNodeContents(node);
    var selection = document.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    document.execCommand("copy");
  }
});
