// TeX to MathML with MathJax 3 under Node.js, for convlab.publish.formulas.
// Usage: node tex2mml.js MATHJAX_FOLDER < formulas.json > mathml.json
// Reads a JSON list of {"tex": "...", "display": true|false}; writes a JSON list, one entry per
// formula: {"mathml": "<math ...>...</math>"} or {"error": "what TeX found wrong"}.
"use strict";
const path = require("path");

const folder = process.argv[2];
const MathJax = require(path.join(folder, "node-main.js"));
const chunks = [];
process.stdin.on("data", (chunk) => chunks.push(chunk));
process.stdin.on("end", () => {
  const formulas = JSON.parse(Buffer.concat(chunks).toString("utf8"));
  MathJax.init({
    loader: {paths: {mathjax: folder}, load: ["input/tex-full"]},
    tex: {
      // bussproofs needs an output jax; noundefined and noerrors would turn a mistake into red
      // text on the page, where the build should stop instead.
      packages: {"[-]": ["bussproofs", "noundefined", "noerrors"]},
      formatError: (jax, error) => { throw error; },
    },
  }).then((mj) => {
    const results = formulas.map(({tex, display}) => {
      try {
        return {mathml: mj.tex2mml(tex, {display: Boolean(display)})};
      } catch (error) {
        return {error: String(error.message || error)};
      }
    });
    process.stdout.write(JSON.stringify(results));
  }).catch((error) => {
    process.stderr.write(`MathJax did not start: ${error.stack || error}\n`);
    process.exit(1);
  });
});
