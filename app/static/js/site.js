// Progressive enhancement only: every page works without JavaScript.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Move focus to a swapped region that asks for it (announced result counts etc.).
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.hasAttribute && target.hasAttribute("data-focus-after-swap")) {
      target.focus({ preventScroll: true });
    }
  });

  // Links that replace themselves (pagination, filter chips) hand focus to the results
  // heading after the swap, so keyboard and screen-reader users are not lost.
  document.addEventListener("htmx:afterSettle", function (event) {
    var elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    var selector = elt && elt.getAttribute && elt.getAttribute("data-focus-after");
    if (selector) {
      var focusTarget = document.querySelector(selector);
      if (focusTarget) {
        focusTarget.focus({ preventScroll: true });
        focusTarget.scrollIntoView({ block: "start" });
      }
    }
  });

  // Drop empty fields and defaults from search URLs (shorter, shareable addresses).
  document.addEventListener("htmx:configRequest", function (event) {
    if (event.detail.verb !== "get") return;
    var params = event.detail.parameters;
    var remove = [];
    var keys = typeof params.keys === "function" ? Array.from(params.keys()) : Object.keys(params);
    keys.forEach(function (key) {
      var value = typeof params.getAll === "function" ? params.getAll(key) : params[key];
      var values = Array.isArray(value) ? value : [value];
      if (values.every(function (v) { return v === "" || v === null || v === undefined; })) remove.push(key);
      if (key === "sort" && values.length === 1 && values[0] === "relevance") remove.push(key);
    });
    remove.forEach(function (key) {
      if (typeof params.delete === "function") params.delete(key); else delete params[key];
    });
  });

  // Keep open/closed <details> (long facets, filter panel) across swaps.
  var openState = {};
  document.addEventListener("htmx:beforeSwap", function () {
    openState = {};
    document.querySelectorAll("#search-body details[id]").forEach(function (d) { openState[d.id] = d.open; });
    document.querySelectorAll("[data-facet-filter]").forEach(function (input) {
      openState["filter:" + input.id] = input.value;
    });
  });
  document.addEventListener("htmx:afterSwap", function () {
    Object.keys(openState).forEach(function (key) {
      if (key.indexOf("filter:") === 0) {
        var input = document.getElementById(key.slice(7));
        if (input && openState[key]) { input.value = openState[key]; applyFacetFilter(input); }
        return;
      }
      var d = document.getElementById(key);
      if (d && !d.querySelector("input:checked")) d.open = openState[key];
    });
    enhance(document);
  });

  // Long facets: a text box that narrows the list of values.
  function applyFacetFilter(input) {
    var facet = document.getElementById(input.getAttribute("data-facet-filter"));
    if (!facet) return;
    var needle = input.value.trim().toLowerCase();
    var more = facet.querySelector("details.facet-more");
    if (more && needle) more.open = true;
    facet.querySelectorAll(".facet-values li").forEach(function (li) {
      var text = li.textContent.toLowerCase();
      li.hidden = needle !== "" && text.indexOf(needle) === -1;
    });
  }

  function enhance(root) {
    root.querySelectorAll(".facet-filter[hidden]").forEach(function (box) { box.hidden = false; });
    root.querySelectorAll("[data-facet-filter]").forEach(function (input) {
      if (input.dataset.enhanced) return;
      input.dataset.enhanced = "1";
      input.addEventListener("input", function (e) { e.stopPropagation(); applyFacetFilter(input); });
      // Typing in a filter box must not submit the search form.
      input.addEventListener("change", function (e) { e.stopPropagation(); });
      input.addEventListener("keydown", function (e) { if (e.key === "Enter") e.preventDefault(); });
    });
    var q = root.querySelector ? root.querySelector("#q") : null;
    if (q && !q.dataset.enhanced) {
      q.dataset.enhanced = "1";
      // The search box searches as you type (input); its change event on blur would repeat it.
      q.addEventListener("change", function (e) { e.stopPropagation(); });
    }
    // On small screens the filter panel starts closed unless filters are active.
    var panel = root.querySelector ? root.querySelector("#filter-panel") : null;
    if (panel && !panel.dataset.enhanced) {
      panel.dataset.enhanced = "1";
      if (window.matchMedia("(max-width: 48rem)").matches && !panel.querySelector("input:checked") && !(panel.id in openState)) {
        panel.open = false;
      }
    }
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
})();
