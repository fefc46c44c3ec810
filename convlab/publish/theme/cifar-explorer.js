// The CIFAR-10 explorer (convlab/cifar_explorer.py writes the trained network into the page).
// Pick a test image or drop a photo; the small CNN lesson 10 trained reads it here, in plain
// JavaScript: five 3 x 3 convolutions (same padding) + ReLU, two 2 x 2 max poolings, global
// average pooling, dense + softmax (dropout off, as when Keras predicts). The weights are int8
// with one scale per output channel. The saliency map is the gradient of the predicted class's
// logit with respect to the image (largest |value| over the colour channels), by the chain
// rule back through the same layers.
// The element exposes predict(values) and saliency(values) (3,072 numbers, 32 x 32 x 3 row by
// row, scaled as the model was trained) and result (the last prediction), for the browser test.
(function () {
  "use strict";

  const SIDE = 32, CHANNELS = 3, CLASSES = 10, THUMB = 32;
  let made = 0;  // widgets on the page, for unique ids

  function bytes(text) {
    const raw = atob(text), out = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function layer(part) {
    const q = new Int8Array(bytes(part.kernel).buffer), w = new Float64Array(q.length);
    const out = part.scales.length;
    for (let i = 0; i < q.length; i++) w[i] = q[i] * part.scales[i % out];
    return { kernel: w, bias: part.bias, inputs: part.shape[part.shape.length - 2], outputs: out };
  }

  // Same-padded 3 x 3 convolution, stride 1, channels last: pre-activations (side x side x out).
  function conv(x, side, l) {
    const cin = l.inputs, cout = l.outputs, k = l.kernel;
    const out = new Float64Array(side * side * cout);
    for (let i = 0; i < side; i++) {
      for (let j = 0; j < side; j++) {
        const at = (i * side + j) * cout;
        for (let f = 0; f < cout; f++) out[at + f] = l.bias[f];
        for (let a = 0; a < 3; a++) {
          const ii = i + a - 1;
          if (ii < 0 || ii >= side) continue;
          for (let b = 0; b < 3; b++) {
            const jj = j + b - 1;
            if (jj < 0 || jj >= side) continue;
            const from = (ii * side + jj) * cin, row = (a * 3 + b) * cin;
            for (let c = 0; c < cin; c++) {
              const v = x[from + c];
              if (v === 0) continue;
              const w = (row + c) * cout;
              for (let f = 0; f < cout; f++) out[at + f] += v * k[w + f];
            }
          }
        }
      }
    }
    return out;
  }

  // The gradient of that convolution with respect to its input, given the output's gradient.
  function convBack(grad, side, l) {
    const cin = l.inputs, cout = l.outputs, k = l.kernel;
    const out = new Float64Array(side * side * cin);
    for (let i = 0; i < side; i++) {
      for (let j = 0; j < side; j++) {
        const at = (i * side + j) * cout;
        for (let a = 0; a < 3; a++) {
          const ii = i + a - 1;
          if (ii < 0 || ii >= side) continue;
          for (let b = 0; b < 3; b++) {
            const jj = j + b - 1;
            if (jj < 0 || jj >= side) continue;
            const to = (ii * side + jj) * cin, row = (a * 3 + b) * cin;
            for (let c = 0; c < cin; c++) {
              const w = (row + c) * cout;
              let sum = 0;
              for (let f = 0; f < cout; f++) sum += grad[at + f] * k[w + f];
              out[to + c] += sum;
            }
          }
        }
      }
    }
    return out;
  }

  // 2 x 2 max pooling; which[k] is the input index each output took (the first of equal ones).
  function pool(x, side, channels) {
    const half = side / 2, out = new Float64Array(half * half * channels);
    const which = new Int32Array(out.length);
    for (let i = 0; i < half; i++) {
      for (let j = 0; j < half; j++) {
        for (let c = 0; c < channels; c++) {
          let best = -Infinity, from = 0;
          for (let a = 0; a < 2; a++) {
            for (let b = 0; b < 2; b++) {
              const k = ((2 * i + a) * side + 2 * j + b) * channels + c;
              if (x[k] > best) { best = x[k]; from = k; }
            }
          }
          out[(i * half + j) * channels + c] = best;
          which[(i * half + j) * channels + c] = from;
        }
      }
    }
    return { out: out, which: which };
  }

  // The forward pass: probabilities, logits, the five convolutions' maps (after ReLU) and
  // what the backward pass needs.
  function forward(net, input) {
    let x = Float64Array.from(input), side = SIDE;
    const maps = [], steps = [];
    net.convs.forEach((l, n) => {
      const pre = conv(x, side, l);
      const relu = pre.map((v) => (v > 0 ? v : 0));
      maps.push({ values: relu, side: side, channels: l.outputs });
      steps.push({ kind: "conv", layer: l, side: side, pre: pre });
      x = relu;
      if (n === 1 || n === 3) {
        const p = pool(x, side, l.outputs);
        steps.push({ kind: "pool", side: side, channels: l.outputs, which: p.which });
        x = p.out;
        side /= 2;
      }
    });
    const last = net.convs[net.convs.length - 1].outputs, area = side * side;
    const features = new Float64Array(last);
    for (let k = 0; k < x.length; k++) features[k % last] += x[k] / area;
    const logits = Array.from(net.dense.bias);
    for (let f = 0; f < last; f++) {
      for (let c = 0; c < CLASSES; c++) logits[c] += features[f] * net.dense.kernel[f * CLASSES + c];
    }
    const top = Math.max(...logits);
    const e = logits.map((z) => Math.exp(z - top));
    const total = e.reduce((s, v) => s + v, 0);
    return { probabilities: e.map((v) => v / total), logits: logits, maps: maps, steps: steps,
             side: side, channels: last };
  }

  // The saliency map: |d logit[predicted] / d input|, largest over the colour channels (1,024).
  function saliency(net, run) {
    const best = run.logits.indexOf(Math.max(...run.logits));
    const area = run.side * run.side, last = run.channels;
    let grad = new Float64Array(area * last);
    for (let k = 0; k < grad.length; k++) grad[k] = net.dense.kernel[(k % last) * CLASSES + best] / area;
    for (let s = run.steps.length - 1; s >= 0; s--) {
      const step = run.steps[s];
      if (step.kind === "pool") {
        const full = new Float64Array(step.side * step.side * step.channels);
        for (let k = 0; k < grad.length; k++) full[step.which[k]] += grad[k];
        grad = full;
      } else {
        for (let k = 0; k < grad.length; k++) if (!(step.pre[k] > 0)) grad[k] = 0;
        grad = convBack(grad, step.side, step.layer);
      }
    }
    const out = new Float64Array(SIDE * SIDE);
    for (let p = 0; p < out.length; p++) {
      out[p] = Math.max(Math.abs(grad[3 * p]), Math.abs(grad[3 * p + 1]), Math.abs(grad[3 * p + 2]));
    }
    return out;
  }

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text) node.textContent = text;
    return node;
  }

  // Paint an RGB (channels 3) or grey (channels 1, values 0..high) picture onto a canvas.
  function paint(canvas, side, value, grey) {
    const context = canvas.getContext("2d");
    const picture = context.createImageData(side, side);
    for (let p = 0; p < side * side; p++) {
      const rgb = grey ? [value(p), value(p), value(p)] : [value(3 * p), value(3 * p + 1), value(3 * p + 2)];
      picture.data.set([rgb[0], rgb[1], rgb[2], 255], 4 * p);
    }
    context.putImageData(picture, 0, 0);
  }

  function build(root) {
    const weights = JSON.parse(root.dataset.weights);
    const input = JSON.parse(root.dataset.input);
    const classes = JSON.parse(root.dataset.classes);
    const samples = JSON.parse(root.dataset.samples);
    const parts = weights.map(layer);
    const net = { convs: parts.slice(0, 5), dense: parts[5] };
    const id = "cifar-explorer-" + (++made);
    const toValue = (pixel) => pixel / input.divisor + input.offset;
    const toPixel = (value) => Math.max(0, Math.min(255, Math.round((value - input.offset) * input.divisor)));
    root.predict = (values) => {
      const run = forward(net, values);
      return { probabilities: run.probabilities,
               maps: run.maps.map((m) => ({ side: m.side, channels: m.channels })) };
    };
    root.saliency = (values) => Array.from(saliency(net, forward(net, values)));
    root.textContent = "";

    samples.forEach((s) => {
      s.values = Array.from(bytes(s.pixels), toValue);
      s.guess = s.keras.indexOf(Math.max(...s.keras));
    });

    // The picker: test images as buttons (two groups), and one's own photo.
    const picker = element("div", { class: "cifar-explorer__picker" });
    const buttons = [];
    [["labels right", (s) => s.label === s.guess], ["labels wrong", (s) => s.label !== s.guess]]
      .forEach(([name, keep], g) => {
        const heading = element("p", { class: "cifar-explorer__heading", id: id + "-group-" + g },
                                "Test images it " + name + ":");
        const group = element("div", { role: "group", class: "cifar-explorer__samples",
                                       "aria-labelledby": heading.id });
        samples.forEach((s, k) => {
          if (!keep(s)) return;
          const button = element("button", { type: "button", "data-sample": String(k),
                                             "aria-pressed": "false" });
          const thumb = element("canvas", { width: THUMB, height: THUMB, "aria-hidden": "true" });
          paint(thumb, SIDE, (k) => toPixel(s.values[k]), false);
          button.append(thumb, element("span", { class: "cifar-explorer__hidden" },
                                       "test image " + s.index + ": "),
                        element("span", {}, classes[s.label]));
          if (s.label !== s.guess) {
            button.append(element("span", { class: "cifar-explorer__says" }, "says " + classes[s.guess]));
          }
          button.addEventListener("click", () => choose({ sample: k }));
          group.append(button);
          buttons.push(button);
        });
        if (group.childElementCount) picker.append(heading, group);
      });
    const help = element("p", { class: "cifar-explorer__help", id: id + "-help" },
      "Tab to a test image and press Enter (the arrow keys move between them), or choose a " +
      "photo of your own: its centre square is shrunk to 32 × 32 pixels.");
    const own = element("div", { class: "cifar-explorer__own" });
    const file = element("input", { type: "file", accept: "image/*", id: id + "-file",
                                    "aria-describedby": help.id });
    const drop = element("label", { class: "cifar-explorer__drop", for: file.id },
                         "Your own photo: choose a file, or drop one here");
    own.append(drop, file);
    picker.append(help, own);

    // What the network sees and says.
    const figures = element("div", { class: "cifar-explorer__figures" });
    const image = element("canvas", { class: "cifar-explorer__image", width: SIDE, height: SIDE,
                                      role: "img", "aria-label": "the image, 32 by 32 pixels" });
    const salient = element("canvas", { class: "cifar-explorer__image", width: SIDE, height: SIDE,
                                        role: "img", "aria-label": "its saliency map" });
    const imageCaption = element("figcaption", {}, "the image");
    const salientCaption = element("figcaption", {}, "saliency map");
    const seen = element("figure", {});
    seen.append(image, imageCaption);
    const map = element("figure", {});
    map.append(salient, salientCaption);
    const bars = element("ol", { class: "cifar-explorer__bars",
                                 "aria-label": "the network's probabilities" });
    const rows = classes.map((name) => {
      const row = element("li");
      const fill = element("span", { class: "cifar-explorer__fill" });
      const bar = element("span", { class: "cifar-explorer__bar", "aria-hidden": "true" });
      const value = element("span", { class: "cifar-explorer__value" });
      bar.append(fill);
      row.append(element("span", { class: "cifar-explorer__name" }, name), bar, value);
      bars.append(row);
      return { row: row, fill: fill, value: value };
    });
    figures.append(seen, map, bars);
    const live = element("p", { class: "cifar-explorer__live", "aria-live": "polite" });

    // The feature maps of the five convolutions.
    const layers = element("div", { class: "cifar-explorer__layers" });
    const grids = [];
    let side = SIDE;
    net.convs.forEach((l, n) => {
      const caption = element("p", { class: "cifar-explorer__caption", id: id + "-layer-" + n },
        "Convolution " + (n + 1) + ": " + l.outputs + " feature maps of " + side + " × " + side +
        (n === 1 || n === 3 ? ", then 2 × 2 max pooling" : ""));
      const grid = element("div", { class: "cifar-explorer__maps", role: "img",
        "aria-label": "the " + l.outputs + " feature maps of convolution " + (n + 1) +
                      " for this image, after ReLU" });
      grid.dataset.size = String(side);
      const canvases = [];
      for (let f = 0; f < l.outputs; f++) {
        const c = element("canvas", { width: side, height: side });
        canvases.push(c);
        grid.append(c);
      }
      grids.push(canvases);
      layers.append(caption, grid);
      if (n === 1 || n === 3) side /= 2;
    });
    root.append(picker, figures, live,
                element("p", { class: "cifar-explorer__caption" },
                        "What each convolution found (bright: a strong response; each map " +
                        "scaled to its own largest value):"),
                layers);

    function show(values, what) {
      const run = forward(net, values);
      const sal = saliency(net, run);
      paint(image, SIDE, (k) => toPixel(values[k]), false);
      let high = 0;
      for (const v of sal) high = Math.max(high, v);
      paint(salient, SIDE, (p) => Math.round(255 * sal[p] / (high || 1)), true);
      run.maps.forEach((m, n) => {
        grids[n].forEach((canvas, f) => {
          let top = 0;
          for (let p = 0; p < m.side * m.side; p++) top = Math.max(top, m.values[p * m.channels + f]);
          paint(canvas, m.side, (p) => Math.round(255 * m.values[p * m.channels + f] / (top || 1)), true);
        });
      });
      const best = run.probabilities.indexOf(Math.max(...run.probabilities));
      run.probabilities.forEach((p, k) => {
        rows[k].fill.style.width = (100 * p).toFixed(1) + "%";
        rows[k].value.textContent = (100 * p).toFixed(1) + "%";
        rows[k].row.classList.toggle("cifar-explorer__best", k === best);
      });
      imageCaption.textContent = what;
      salientCaption.textContent = "saliency map for “" + classes[best] + "”";
      image.setAttribute("aria-label", what + ", 32 by 32 pixels");
      salient.setAttribute("aria-label", "its saliency map for " + classes[best] +
                           ": bright where a small change moves that score most");
      live.textContent = what.charAt(0).toUpperCase() + what.slice(1) + ": the network says " +
        classes[best] + ", " + (100 * run.probabilities[best]).toFixed(0) + "% sure.";
      root.result = { input: Array.from(values), probabilities: run.probabilities,
                      predicted: best, saliency: Array.from(sal),
                      maps: run.maps.map((m) => ({ side: m.side, channels: m.channels })) };
    }

    function choose(next) {
      buttons.forEach((b) => b.setAttribute("aria-pressed",
        String(next.sample !== undefined && b.dataset.sample === String(next.sample))));
      if (next.sample !== undefined) {
        const s = samples[next.sample];
        show(s.values, "test image " + s.index + ", a " + classes[s.label]);
      } else {
        show(next.values, "your photo");
      }
    }

    // Arrow keys, Home and End move between the test images (up and down by a row).
    picker.addEventListener("keydown", (event) => {
      const at = buttons.indexOf(document.activeElement);
      if (at < 0) return;
      const top = (b) => b.getBoundingClientRect().top;
      let perRow = buttons.findIndex((b) => Math.abs(top(b) - top(buttons[0])) > 4);
      if (perRow <= 0) perRow = buttons.length;
      const moves = { ArrowLeft: -1, ArrowRight: 1, ArrowUp: -perRow, ArrowDown: perRow,
                      Home: -at, End: buttons.length - 1 - at };
      if (!(event.key in moves)) return;
      buttons[Math.max(0, Math.min(buttons.length - 1, at + moves[event.key]))].focus();
      event.preventDefault();
    });

    // One's own photo: its centre square, shrunk by halves (smoothly) to 32 x 32.
    function load(source) {
      if (!source || !/^image\//.test(source.type || "image/")) {
        live.textContent = "That file is not an image.";
        return;
      }
      const failed = () => { live.textContent = "That file could not be read as an image."; };
      // createImageBitmap decodes the file itself (no blob: URL); an <img> where it is missing
      const decoded = window.createImageBitmap ? createImageBitmap(source) : new Promise((done, fail) => {
        const url = URL.createObjectURL(source), picture = new Image();
        picture.onload = () => { URL.revokeObjectURL(url); done(picture); };
        picture.onerror = () => { URL.revokeObjectURL(url); fail(); };
        picture.src = url;
      });
      decoded.then((picture) => {
        const width = picture.naturalWidth || picture.width, height = picture.naturalHeight || picture.height;
        const size = Math.min(width, height);
        let canvas = element("canvas", { width: size, height: size });
        canvas.getContext("2d").drawImage(picture, (width - size) / 2, (height - size) / 2,
                                          size, size, 0, 0, size, size);
        while (canvas.width > SIDE) {
          const next = Math.max(SIDE, Math.ceil(canvas.width / 2));
          const smaller = element("canvas", { width: next, height: next });
          const context = smaller.getContext("2d");
          context.imageSmoothingEnabled = true;
          context.imageSmoothingQuality = "high";
          context.drawImage(canvas, 0, 0, next, next);
          canvas = smaller;
        }
        if (canvas.width < SIDE) {   // a tiny image: enlarged
          const larger = element("canvas", { width: SIDE, height: SIDE });
          larger.getContext("2d").drawImage(canvas, 0, 0, SIDE, SIDE);
          canvas = larger;
        }
        const rgba = canvas.getContext("2d").getImageData(0, 0, SIDE, SIDE).data;
        const values = new Array(SIDE * SIDE * CHANNELS);
        for (let p = 0; p < SIDE * SIDE; p++) {
          for (let c = 0; c < CHANNELS; c++) values[3 * p + c] = toValue(rgba[4 * p + c]);
        }
        choose({ values: values });
      }, failed);
    }
    file.addEventListener("change", () => load(file.files[0]));
    ["dragenter", "dragover"].forEach((name) => drop.addEventListener(name, (event) => {
      event.preventDefault();
      drop.classList.add("cifar-explorer__drop--over");
    }));
    ["dragleave", "drop"].forEach((name) => drop.addEventListener(name, () =>
      drop.classList.remove("cifar-explorer__drop--over")));
    drop.addEventListener("drop", (event) => {
      event.preventDefault();
      load(event.dataTransfer.files[0]);
    });

    const first = samples.findIndex((s) => s.label === s.guess);
    choose({ sample: first >= 0 ? first : 0 });
    live.textContent = "";   // nothing announced before the reader acts
  }

  function start() {
    document.querySelectorAll(".cifar-explorer:not([data-ready])").forEach((root) => {
      root.setAttribute("data-ready", "");
      build(root);
    });
  }
  if (typeof document$ !== "undefined") document$.subscribe(start); // Material's page loads
  else document.addEventListener("DOMContentLoaded", start);
})();
