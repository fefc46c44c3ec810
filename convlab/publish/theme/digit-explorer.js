// The digit explorer (convlab/digit_explorer.py writes the trained network into the page).
// Draw a digit or load a test digit; the network lesson 08 trained reads it here, in plain
// JavaScript: convolution (32 filters, 3 x 3) + ReLU, 2 x 2 max pooling, dense + softmax, with
// dropout off as when Keras predicts. The weights are int8 with one scale per tensor.
// The element exposes predict(input) (784 numbers, scaled as the model was trained) and
// result (the last prediction), read by the browser test.
(function () {
  "use strict";

  const SIDE = 28, MAP = 26, POOLED = 13, FILTERS = 32, CLASSES = 10, ZOOM = 10;

  function bytes(text) {
    const raw = atob(text), out = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  function dequantise(part) {
    const q = new Int8Array(bytes(part.kernel).buffer), w = new Float64Array(q.length);
    for (let i = 0; i < q.length; i++) w[i] = q[i] * part.scale;
    return w;
  }

  // input: 28 x 28 values, row by row. Returns the ten probabilities and the 26 x 26 x 32 maps
  // (channels last, as Keras lays them out: maps[(i * 26 + j) * 32 + f]).
  function forward(net, input) {
    const maps = new Float64Array(MAP * MAP * FILTERS);
    for (let i = 0; i < MAP; i++) {
      for (let j = 0; j < MAP; j++) {
        for (let f = 0; f < FILTERS; f++) {
          let sum = net.convBias[f];
          for (let a = 0; a < 3; a++) {
            for (let b = 0; b < 3; b++) {
              sum += input[(i + a) * SIDE + j + b] * net.conv[(a * 3 + b) * FILTERS + f];
            }
          }
          maps[(i * MAP + j) * FILTERS + f] = Math.max(sum, 0);
        }
      }
    }
    const logits = Array.from(net.denseBias);
    for (let i = 0; i < POOLED; i++) {
      for (let j = 0; j < POOLED; j++) {
        for (let f = 0; f < FILTERS; f++) {
          const at = (r, c) => maps[((2 * i + r) * MAP + 2 * j + c) * FILTERS + f];
          const pooled = Math.max(at(0, 0), at(0, 1), at(1, 0), at(1, 1));
          if (pooled === 0) continue;
          const row = ((i * POOLED + j) * FILTERS + f) * CLASSES;
          for (let k = 0; k < CLASSES; k++) logits[k] += pooled * net.dense[row + k];
        }
      }
    }
    const top = Math.max(...logits);
    const e = logits.map((z) => Math.exp(z - top));
    const total = e.reduce((s, v) => s + v, 0);
    return { probabilities: e.map((v) => v / total), maps: maps };
  }

  // MNIST's preparation: the ink's bounding box scaled into a box x box square keeping its
  // aspect ratio (area-averaged), then placed so that its centre of mass is the frame's centre.
  function prepare(ink, size, box) {
    let top = size, left = size, bottom = -1, right = -1;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        if (ink[y * size + x] > 0) {
          top = Math.min(top, y); bottom = Math.max(bottom, y);
          left = Math.min(left, x); right = Math.max(right, x);
        }
      }
    }
    const out = new Float64Array(SIDE * SIDE);
    if (bottom < 0) return out;
    const h = bottom - top + 1, w = right - left + 1, step = Math.max(h, w) / box;
    const th = Math.max(1, Math.round(h / step)), tw = Math.max(1, Math.round(w / step));
    const small = new Float64Array(th * tw), n = 4;  // n x n samples a target pixel
    let mass = 0, my = 0, mx = 0;
    for (let y = 0; y < th; y++) {
      for (let x = 0; x < tw; x++) {
        let sum = 0;
        for (let a = 0; a < n; a++) {
          for (let b = 0; b < n; b++) {
            const sy = Math.min(bottom, Math.floor(top + (y + (a + 0.5) / n) * step));
            const sx = Math.min(right, Math.floor(left + (x + (b + 0.5) / n) * step));
            sum += ink[sy * size + sx];
          }
        }
        const v = sum / (n * n);
        small[y * tw + x] = v;
        mass += v; my += v * (y + 0.5); mx += v * (x + 0.5);
      }
    }
    const oy = Math.round(SIDE / 2 - my / mass), ox = Math.round(SIDE / 2 - mx / mass);
    for (let y = 0; y < th; y++) {
      for (let x = 0; x < tw; x++) {
        const Y = y + oy, X = x + ox;
        if (Y >= 0 && Y < SIDE && X >= 0 && X < SIDE) out[Y * SIDE + X] = small[y * tw + x];
      }
    }
    return out;
  }

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([k, v]) => node.setAttribute(k, v));
    if (text) node.textContent = text;
    return node;
  }

  // Paint values (0..high) in greys onto a canvas of width x height.
  function paint(canvas, values, width, height, high, pick) {
    const context = canvas.getContext("2d");
    const picture = context.createImageData(width, height);
    for (let k = 0; k < width * height; k++) {
      const grey = Math.round(255 * Math.min(1, (pick ? pick(k) : values[k]) / (high || 1)));
      picture.data.set([grey, grey, grey, 255], 4 * k);
    }
    context.putImageData(picture, 0, 0);
  }

  function build(root) {
    const weights = JSON.parse(root.dataset.weights);
    const input = JSON.parse(root.dataset.input);
    const samples = JSON.parse(root.dataset.samples);
    const net = { conv: dequantise(weights.conv), dense: dequantise(weights.dense),
                  convBias: weights.conv.bias, denseBias: weights.dense.bias };
    root.predict = (values) => forward(net, values);
    root.textContent = "";

    // Controls: Clear, Undo, and the test digits.
    const controls = element("div", { class: "digit-explorer__controls" });
    const clear = element("button", { type: "button" }, "Clear");
    const undo = element("button", { type: "button" }, "Undo");
    controls.append(clear, undo);
    const groups = [["read right", (s) => s.label === s.guess], ["read wrong", (s) => s.label !== s.guess]];
    const pickers = element("div", { class: "digit-explorer__samples" });
    samples.forEach((s) => {
      s.values = Array.from(bytes(s.pixels), (v) => v / input.divisor);
      s.guess = s.keras.indexOf(Math.max(...s.keras));
    });
    groups.forEach(([name, keep]) => {
      const group = element("div", { role: "group", "aria-label": "test digits it " + name });
      group.append(element("span", {}, "Test digits it " + name + ":"));
      samples.forEach((s, k) => {
        if (!s.button || !keep(s)) return;
        const text = s.label === s.guess ? String(s.label) : s.label + " (says " + s.guess + ")";
        const button = element("button", { type: "button", "data-sample": String(k),
          "aria-label": "load test digit " + s.index + ", a " + s.label }, text);
        button.addEventListener("click", () => act({ sample: k, strokes: [] }));
        group.append(button);
      });
      pickers.append(group);
    });

    const figures = element("div", { class: "digit-explorer__figures" });
    const help = element("p", { class: "digit-explorer__help", id: "digit-explorer-help" },
      "Draw with a mouse, finger or pen. Keyboard: arrow keys move the cursor, space or " +
      "Enter paints, Shift + arrow paints as it moves.");
    const surface = element("canvas", { class: "digit-explorer__surface", width: SIDE * ZOOM,
      height: SIDE * ZOOM, tabindex: "0", role: "application",
      "aria-label": "drawing surface, 28 by 28 cells", "aria-describedby": help.id });
    const seen = element("canvas", { class: "digit-explorer__input", width: SIDE, height: SIDE,
      role: "img", "aria-label": "what the network sees: the digit prepared as in MNIST" });
    const bars = element("ol", { class: "digit-explorer__bars", start: "0",
                                 "aria-label": "the network's probabilities" });
    const rows = [];
    for (let k = 0; k < CLASSES; k++) {
      const row = element("li");
      const fill = element("span", { class: "digit-explorer__fill" });
      const bar = element("span", { class: "digit-explorer__bar", "aria-hidden": "true" });
      const value = element("span", { class: "digit-explorer__value" });
      bar.append(fill);
      row.append(element("span", { class: "digit-explorer__digit" }, String(k)), bar, value);
      bars.append(row);
      rows.push({ row: row, fill: fill, value: value });
    }
    const drawing = element("figure", {});
    drawing.append(surface, element("figcaption", {}, "your digit"));
    const sees = element("figure", {});
    sees.append(seen, element("figcaption", {}, "what the network sees"));
    figures.append(drawing, sees, bars);
    const live = element("p", { class: "digit-explorer__live", "aria-live": "polite" });
    const mapsGrid = element("div", { class: "digit-explorer__maps", role: "img",
      "aria-label": "the 32 activation maps of the first layer for this digit" });
    const mapCanvases = [];
    for (let f = 0; f < FILTERS; f++) {
      const c = element("canvas", { width: MAP, height: MAP, title: "filter " + f });
      mapCanvases.push(c);
      mapsGrid.append(c);
    }
    root.append(controls, pickers, figures, help, live,
                element("p", { class: "digit-explorer__caption" },
                        "The 32 activation maps after the first layer (convolution + ReLU):"),
                mapsGrid);

    // The drawing: a test digit or strokes (points in cell units), with a history for Undo.
    let state = { sample: null, strokes: [] }, history = [], cursor = { x: 14, y: 14 };
    let pen = null;  // the stroke the pointer is drawing
    const ink = element("canvas", { width: SIDE * ZOOM, height: SIDE * ZOOM });

    function inkValues() {
      const context = ink.getContext("2d");
      context.fillStyle = "#000";
      context.fillRect(0, 0, ink.width, ink.height);
      context.strokeStyle = context.fillStyle = "#fff";
      context.lineWidth = 2.2 * ZOOM;
      context.lineCap = context.lineJoin = "round";
      state.strokes.forEach((points) => {
        context.beginPath();
        points.forEach((p, i) => context[i ? "lineTo" : "moveTo"](p.x * ZOOM, p.y * ZOOM));
        if (points.length === 1) context.lineTo(points[0].x * ZOOM + 0.1, points[0].y * ZOOM);
        context.stroke();
      });
      const rgba = context.getImageData(0, 0, ink.width, ink.height).data;
      const grey = new Float64Array(ink.width * ink.height);
      for (let k = 0; k < grey.length; k++) grey[k] = rgba[4 * k];
      return grey;
    }

    function update(announce) {
      let values;
      const context = surface.getContext("2d");
      if (state.sample !== null) {
        values = samples[state.sample].values;
        const big = context.createImageData(surface.width, surface.height);
        for (let k = 0; k < big.width * big.height; k++) {
          const x = Math.floor((k % big.width) / ZOOM), y = Math.floor(k / big.width / ZOOM);
          const grey = Math.round(255 * values[y * SIDE + x] * input.divisor / 255);
          big.data.set([grey, grey, grey, 255], 4 * k);
        }
        context.putImageData(big, 0, 0);
      } else {
        const grey = inkValues();
        context.drawImage(ink, 0, 0);
        values = Array.from(prepare(grey, ink.width, input.box), (v) => v / input.divisor);
      }
      // the 28 x 28 grid and the keyboard cursor
      context.strokeStyle = "rgba(128, 128, 128, 0.25)";
      context.lineWidth = 1;
      for (let k = 1; k < SIDE; k++) {
        context.beginPath(); context.moveTo(k * ZOOM, 0); context.lineTo(k * ZOOM, SIDE * ZOOM);
        context.moveTo(0, k * ZOOM); context.lineTo(SIDE * ZOOM, k * ZOOM); context.stroke();
      }
      if (document.activeElement === surface) {
        context.strokeStyle = "#f80";
        context.lineWidth = 2;
        context.strokeRect(cursor.x * ZOOM + 1, cursor.y * ZOOM + 1, ZOOM - 2, ZOOM - 2);
      }
      const result = forward(net, values);
      let high = 0;
      for (const v of result.maps) high = Math.max(high, v);
      mapCanvases.forEach((c, f) => paint(c, null, MAP, MAP, high, (k) => result.maps[k * FILTERS + f]));
      paint(seen, values, SIDE, SIDE, 255 / input.divisor);
      const best = result.probabilities.indexOf(Math.max(...result.probabilities));
      result.probabilities.forEach((p, k) => {
        rows[k].fill.style.width = (100 * p).toFixed(1) + "%";
        rows[k].value.textContent = (100 * p).toFixed(1) + "%";
        rows[k].row.classList.toggle("digit-explorer__best", k === best);
      });
      const empty = values.every((v) => v === 0);
      root.result = { input: values, probabilities: result.probabilities, predicted: best };
      if (announce) {
        live.textContent = empty ? "Nothing drawn yet." : "The network reads a " + best + ", " +
          (100 * result.probabilities[best]).toFixed(0) + "% sure.";
      }
      undo.disabled = history.length === 0;
    }

    function act(next) {
      history.push(state);
      state = next;
      update(true);
    }

    function point(event) {
      const box = surface.getBoundingClientRect();
      return { x: Math.max(0, Math.min(SIDE, (event.clientX - box.left) / box.width * SIDE)),
               y: Math.max(0, Math.min(SIDE, (event.clientY - box.top) / box.height * SIDE)) };
    }
    surface.addEventListener("pointerdown", (event) => {
      event.preventDefault();
      surface.setPointerCapture(event.pointerId);
      pen = [point(event)];
      history.push(state);
      state = { sample: null, strokes: (state.sample === null ? state.strokes : []).concat([pen]) };
      update(false);
    });
    surface.addEventListener("pointermove", (event) => {
      if (!pen) return;
      pen.push(point(event));
      update(false);
    });
    const lift = () => { if (pen) { pen = null; update(true); } };
    surface.addEventListener("pointerup", lift);
    surface.addEventListener("pointercancel", lift);

    surface.addEventListener("keydown", (event) => {
      const moves = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
      const here = () => ({ x: cursor.x + 0.5, y: cursor.y + 0.5 });
      const strokes = state.sample === null ? state.strokes : [];
      if (event.key in moves) {
        const [dx, dy] = moves[event.key];
        const from = here();
        cursor = { x: Math.max(0, Math.min(SIDE - 1, cursor.x + dx)),
                   y: Math.max(0, Math.min(SIDE - 1, cursor.y + dy)) };
        if (event.shiftKey) act({ sample: null, strokes: strokes.concat([[from, here()]]) });
        else update(false);
      } else if (event.key === " " || event.key === "Enter") {
        act({ sample: null, strokes: strokes.concat([[here()]]) });
      } else {
        return;
      }
      event.preventDefault();
    });
    surface.addEventListener("focus", () => update(false));
    surface.addEventListener("blur", () => update(false));
    clear.addEventListener("click", () => act({ sample: null, strokes: [] }));
    undo.addEventListener("click", () => {
      if (history.length) { state = history.pop(); update(true); }
    });
    const firstRight = samples.findIndex((s) => s.button && s.label === s.guess);
    state = { sample: firstRight >= 0 ? firstRight : null, strokes: [] };
    update(false);
  }

  function start() {
    document.querySelectorAll(".digit-explorer:not([data-ready])").forEach((root) => {
      root.setAttribute("data-ready", "");
      build(root);
    });
  }
  if (typeof document$ !== "undefined") document$.subscribe(start); // Material's page loads
  else document.addEventListener("DOMContentLoaded", start);
})();
