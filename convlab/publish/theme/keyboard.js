// Material wraps wide tables in a scrolling .md-typeset__scrollwrap when the page loads: make
// each one that scrolls reachable with the Tab key (axe-core's scrollable-region-focusable), a
// region named after the heading above it, each name its own (axe-core's landmark-unique).
// Code blocks and outputs get tabindex="0" at build time (convlab.publish.mkdocs_plugin).
(function () {
  function heading(element) {
    for (let node = element; node; node = node.previousElementSibling || node.parentElement) {
      if (/^H[1-6]$/.test(node.tagName)) return node.textContent.replace(/¶$/, "").trim();
      if (node.classList && node.classList.contains("md-content")) break;
    }
    return "";
  }
  function focusable() {
    const used = new Set([...document.querySelectorAll(".md-typeset__scrollwrap[aria-label]")]
      .map(function (wrap) { return wrap.getAttribute("aria-label"); }));
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth && !wrap.hasAttribute("tabindex")) {
        const base = `table${heading(wrap) ? ": " + heading(wrap) : ""}, scrolls sideways`;
        let name = base;
        for (let n = 2; used.has(name); n++) name = `${base} (${n})`;
        used.add(name);
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", name);
      }
    });
  }
  if (window.document$) window.document$.subscribe(focusable);
  else document.addEventListener("DOMContentLoaded", focusable);
  // a window made narrower (a phone turned, a desktop window resized) may make a table scroll
  let pending = 0;
  window.addEventListener("resize", function () {
    clearTimeout(pending);
    pending = setTimeout(focusable, 200);
  });
})();
