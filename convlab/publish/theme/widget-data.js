// A widget's large data-* attributes, which the build moved into a script beside the page
// (convlab/publish/figures.py, extract_widget_data), put back where the widgets read them.
// Loaded before the widgets' own scripts; the data scripts ran earlier, inside the article.
(function () {
  "use strict";
  const stored = window.convlabWidgetData || {};
  for (const element of document.querySelectorAll("[data-convlab-data]")) {
    const values = stored[element.dataset.convlabData];
    if (!values) continue;
    for (const [name, value] of Object.entries(values)) {
      element.setAttribute(`data-${name}`, value);
    }
  }
})();
