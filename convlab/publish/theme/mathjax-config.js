// MathJax 3 settings, read by vendor/mathjax/tex-chtml-full.js (loaded right after this file).
// The lessons write $...$ and $$...$$; pymdownx.arithmatex turns those in docs/*.md into
// \(...\) and \[...\] inside .arithmatex elements.
window.MathJax = {
  tex: {
    inlineMath: [["$", "$"], ["\\(", "\\)"]],
    displayMath: [["$$", "$$"], ["\\[", "\\]"]],
    processEscapes: true,
    processEnvironments: true,
  },
  options: {
    // The page's text (code, pre and the like are skipped anyway), not its navigation.
    ignoreHtmlClass: "tex2jax_ignore|md-header|md-nav|md-search|md-footer",
  },
};
