// The convolution explorer (convlab/explorer.py writes its data into the page).
// Pick an image, a kernel from the lesson's bank or nine numbers of your own, a stride and a
// padding; the output image and its shape follow. The arithmetic is the one of
// convlab.convolution.conv2d (and keras.layers.Conv2D): cross-correlation, "valid" or "same"
// padding as Keras pads, any stride. Plain JavaScript, no dependencies, no server.
(function () {
  "use strict";

  function decode(image) {
    const bytes = atob(image.pixels);
    const values = new Float64Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) values[i] = bytes.charCodeAt(i);
    return { height: image.height, width: image.width, values: values };
  }

  // Keras's "same": pad so that the output has ceil(D / S) positions, the odd pixel at the end.
  function padding(size, kernel, stride, mode) {
    if (mode === "valid") return [0, 0];
    const total = Math.max((Math.ceil(size / stride) - 1) * stride + kernel - size, 0);
    const before = Math.floor(total / 2);
    return [before, total - before];
  }

  // Cross-correlate image (H x W) with kernel (kh x kw): {height, width, values} or an error.
  function conv2d(image, kernel, stride, mode) {
    const kh = kernel.length, kw = kernel[0].length;
    const [top, bottom] = padding(image.height, kh, stride, mode);
    const [left, right] = padding(image.width, kw, stride, mode);
    const height = Math.floor((image.height + top + bottom - kh) / stride) + 1;
    const width = Math.floor((image.width + left + right - kw) / stride) + 1;
    if (height < 1 || width < 1) {
      throw new Error("the " + kh + "x" + kw + " kernel is larger than the " +
                      image.height + "x" + image.width + " image: use same padding");
    }
    const out = new Float64Array(height * width);
    for (let i = 0; i < height; i++) {
      for (let j = 0; j < width; j++) {
        let sum = 0;
        for (let a = 0; a < kh; a++) {
          const row = i * stride + a - top;
          if (row < 0 || row >= image.height) continue;
          for (let b = 0; b < kw; b++) {
            const col = j * stride + b - left;
            if (col < 0 || col >= image.width) continue;
            sum += image.values[row * image.width + col] * kernel[a][b];
          }
        }
        out[i * width + j] = sum;
      }
    }
    return { height: height, width: width, values: out };
  }

  // Draw values on a canvas, scaled from their own min..max to black..white.
  function draw(canvas, result) {
    let low = Infinity, high = -Infinity;
    for (const v of result.values) { low = Math.min(low, v); high = Math.max(high, v); }
    const span = high - low || 1;
    canvas.width = result.width;
    canvas.height = result.height;
    const context = canvas.getContext("2d");
    const picture = context.createImageData(result.width, result.height);
    result.values.forEach(function (v, k) {
      const grey = Math.round(255 * (v - low) / span);
      picture.data.set([grey, grey, grey, 255], 4 * k);
    });
    context.putImageData(picture, 0, 0);
  }

  function element(tag, attributes, text) {
    const node = document.createElement(tag);
    Object.entries(attributes || {}).forEach(function ([k, v]) { node.setAttribute(k, v); });
    if (text) node.textContent = text;
    return node;
  }

  function select(name, options, label) {
    const wrap = element("label", {}, label + " ");
    const box = element("select", { name: name });
    options.forEach(function (o) { box.append(element("option", { value: o }, o)); });
    wrap.append(box);
    return [wrap, box];
  }

  function build(root) {
    const images = JSON.parse(root.dataset.images);
    const kernels = JSON.parse(root.dataset.kernels);
    const decoded = {};
    Object.entries(images).forEach(function ([name, image]) { decoded[name] = decode(image); });
    root.textContent = "";

    // Keyboard: the native selects and number fields, in reading order (settings, the custom
    // kernel's nine numbers row by row); each named by its label; focus outlined (the CSS).
    const controls = element("div", { class: "conv-explorer__controls", role: "group",
                                      "aria-label": "convolution settings" });
    const [imageLabel, imageBox] = select("image", Object.keys(images), "image");
    const [kernelLabel, kernelBox] = select("kernel", Object.keys(kernels).concat(["custom"]),
                                            "kernel");
    const [strideLabel, strideBox] = select("stride", ["1", "2", "3"], "stride");
    const [padLabel, padBox] = select("padding", ["valid", "same"], "padding");
    controls.append(imageLabel, kernelLabel, strideLabel, padLabel);

    const custom = element("div", { class: "conv-explorer__custom", role: "group",
                                    "aria-label": "custom 3 × 3 kernel" });
    const cells = [];
    for (let k = 0; k < 9; k++) {
      const cell = element("input", { type: "number", step: "any", value: k === 4 ? "1" : "0",
                                      "aria-label": "kernel row " + (Math.floor(k / 3) + 1) +
                                                    ", column " + (k % 3 + 1) });
      cells.push(cell);
      custom.append(cell);
    }

    const figures = element("div", { class: "conv-explorer__figures" });
    const input = element("canvas", { class: "conv-explorer__input", role: "img",
                                      "aria-label": "input image" });
    const output = element("canvas", { class: "conv-explorer__output", role: "img",
                                       "aria-label": "output of the convolution" });
    figures.append(input, output);
    const caption = element("p", { class: "conv-explorer__shape", "aria-live": "polite" });
    root.append(controls, custom, figures, caption);

    function kernel() {
      if (kernelBox.value !== "custom") return kernels[kernelBox.value];
      const values = cells.map(function (c) { return Number(c.value) || 0; });
      return [values.slice(0, 3), values.slice(3, 6), values.slice(6, 9)];
    }

    function update() {
      custom.hidden = kernelBox.value !== "custom";
      const image = decoded[imageBox.value];
      draw(input, image);
      try {
        const result = conv2d(image, kernel(), Number(strideBox.value), padBox.value);
        draw(output, result);
        root.result = result; // read by the browser test
        caption.textContent = image.height + " × " + image.width + " input → " +
          result.height + " × " + result.width + " output (" + padBox.value + ", stride " +
          strideBox.value + ")";
      } catch (error) {
        root.result = null;
        caption.textContent = error.message;
      }
    }
    [imageBox, kernelBox, strideBox, padBox].concat(cells).forEach(function (c) {
      c.addEventListener("input", update);
      c.addEventListener("change", update);
    });
    update();
  }

  function start() {
    document.querySelectorAll(".conv-explorer:not([data-ready])").forEach(function (root) {
      root.setAttribute("data-ready", "");
      build(root);
    });
  }
  if (typeof document$ !== "undefined") document$.subscribe(start); // Material's page loads
  else document.addEventListener("DOMContentLoaded", start);
})();
