// Progressive enhancement only: every page works without JavaScript.
document.addEventListener("htmx:afterSwap", function (event) {
  // Move focus to a swapped region that asks for it (announced result counts etc.).
  var target = event.detail.target;
  if (target && target.hasAttribute("data-focus-after-swap")) {
    target.focus({ preventScroll: true });
  }
});
