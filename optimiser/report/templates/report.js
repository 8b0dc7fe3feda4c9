// Unpack the embedded plotly.js (gzip, base64) with the browser's DecompressionStream, then draw every
// chart from its JSON spec. Nothing is fetched. <body data-charts> ends "ready" or "failed" (tests wait on it).
(function () {
  "use strict";
  function failed(error) {
    document.body.dataset.charts = "failed";
    document.querySelectorAll(".chart:not([data-drawn])").forEach(function (node) {
      node.textContent = "This chart cannot be drawn in this browser (" + error + "). Its PNG is linked below.";
    });
    console.error("report charts:", error);
  }
  async function loadPlotly() {
    if (typeof DecompressionStream === "undefined") {
      throw new Error("DecompressionStream is not supported");
    }
    var packed = document.getElementById("plotly-js").textContent.trim();
    var binary = atob(packed);
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) {
      bytes[i] = binary.charCodeAt(i);
    }
    var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    var script = document.createElement("script");
    script.textContent = await new Response(stream).text();
    document.head.appendChild(script);
  }
  async function draw() {
    await loadPlotly();
    var config = JSON.parse(document.getElementById("plotly-config").textContent);
    var nodes = document.querySelectorAll(".chart[data-spec]");
    for (var i = 0; i < nodes.length; i++) {
      var spec = JSON.parse(document.getElementById(nodes[i].dataset.spec).textContent);
      await Plotly.newPlot(nodes[i], spec.data, spec.layout, config);
      nodes[i].dataset.drawn = "true";
    }
    document.body.dataset.charts = "ready";
  }
  draw().catch(failed);
})();
