// Material wraps wide tables in a scrolling .md-typeset__scrollwrap when the page loads: make
// each one that scrolls reachable with the Tab key (axe-core's scrollable-region-focusable).
// Code blocks and outputs get tabindex="0" at build time (convlab.publish.mkdocs_plugin).
(function () {
  function focusable() {
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", "table, scrolls sideways");
      }
    });
  }
  if (window.document$) window.document$.subscribe(focusable);
  else document.addEventListener("DOMContentLoaded", focusable);
})();
