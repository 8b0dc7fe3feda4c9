// The workbench page: draws the scenario form from the server's schema (one input per scenario key, by its
// kind), sends the whole settings to /api/solve on every change (debounced; one request in flight, the latest
// settings sent next), and shows the status, headline and the report's plotly charts it gets back. Saved
// results, comparisons, stress tests, sweeps and jobs go through the JSON API. Nothing is fetched from
// another origin. <body data-state> is loading | solving | ready | invalid | failed, and <body data-solves> counts
// the plans shown after a change (tests and the latency benchmark wait on them).
(function () {
  "use strict";

  var DEBOUNCE_MS = 80;
  var JOB_POLL_MS = 1000;
  var SLOW_SECONDS = 1.0;
  var CHART_KEYS = ["dependence", "timeline", "capex", "shortfall"];

  var schema = JSON.parse(document.getElementById("schema").textContent);
  var plotlyConfig = JSON.parse(document.getElementById("plotly-config").textContent);
  var settings = JSON.parse(document.getElementById("initial-settings").textContent);
  var fields = {};
  schema.fields.forEach(function (field) { fields[field.key] = field; });

  var latencies = [];
  window.workbench = {
    latencies: latencies,
    settings: function () { return clone(settings); },
    last: null,
  };

  // Helpers -------------------------------------------------------------------------------------------------

  function clone(value) { return JSON.parse(JSON.stringify(value)); }

  function el(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      var value = attributes[name];
      if (value === null || value === undefined || value === false) { return; }
      if (name === "text") { node.textContent = value; }
      else if (name === "className") { node.className = value; }
      else { node.setAttribute(name, value === true ? "" : value); }
    });
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) {
        node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
      }
    });
    return node;
  }

  function api(method, url, body) {
    var options = { method: method, headers: {} };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    return fetch(url, options).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (value) {
        return { ok: response.ok, status: response.status, body: value };
      });
    });
  }

  function fixed(value, digits) {
    return value === null || value === undefined ? "n/a" : Number(value).toFixed(digits);
  }

  function percent(value) {
    return value === null || value === undefined ? "n/a" : (100 * value).toFixed(1) + " %";
  }

  function detail(response) {
    var body = response.body || {};
    return typeof body.detail === "string" ? body.detail : "the server answered " + response.status;
  }

  // The form ------------------------------------------------------------------------------------------------

  function setValue(key, value) {
    if (value === undefined) { delete settings[key]; } else { settings[key] = value; }
    scheduleSolve();
  }

  function issueSpan(key) { return el("span", { className: "issue", "data-issue-for": key }); }

  function fieldBox(field, control, extra) {
    var box = el("div", { className: "field", "data-field": field.key });
    var label = el("label", { "for": "input-" + field.key, text: field.key.replace(/_/g, " ") });
    box.appendChild(label);
    (extra || []).forEach(function (node) { label.appendChild(node); });
    if (field.description) { box.appendChild(el("span", { className: "description", text: describe(field) })); }
    box.appendChild(control);
    box.appendChild(issueSpan(field.key));
    return box;
  }

  function describe(field) {
    var text = field.description || "";
    if (field.kind === "int" || field.kind === "float") {
      var low = field.min === null ? null : field.min, high = field.max === null ? null : field.max;
      if (low !== null && high !== null) { text += (text ? "; " : "") + (field.min_exclusive ? "above " : "") + low + " to " + high; }
    }
    if (field.optional) { text += (text ? "; " : "") + "empty: the default"; }
    return text;
  }

  function numberInput(field, key, value, onValue) {
    var input = el("input", { type: "number", id: key === field.key ? "input-" + key : null, "data-key": key,
      step: field.kind === "int" ? "1" : "any", min: field.min, max: field.max,
      placeholder: field.optional ? "default" : null });
    input.value = value === null || value === undefined ? "" : String(value);
    input.addEventListener("input", function () {
      var text = input.value.trim();
      if (text === "") {
        onValue(field.optional ? undefined : null);
        return;
      }
      var number = Number(text);
      onValue(Number.isFinite(number) ? number : text);
    });
    return input;
  }

  function budgetWidget(field) {
    var range = schema.budget_slider;
    var slider = el("input", { type: "range", id: "budget-slider", min: range[0], max: range[1], step: range[2],
      "aria-label": "budget, US$ billion" });
    var number = numberInput(field, field.key, settings[field.key], function (value) {
      if (typeof value === "number") { slider.value = String(Math.min(Math.max(value, range[0]), range[1])); }
      setValue(field.key, value);
    });
    number.id = "input-budget_busd";
    slider.value = String(settings[field.key] === undefined ? 0 : settings[field.key]);
    slider.addEventListener("input", function () {
      number.value = slider.value;
      setValue(field.key, Number(slider.value));
    });
    return el("div", { className: "budget-row" }, [slider, number, el("span", { className: "note", text: "$B" })]);
  }

  function checkboxList(names, chosen, key, onChange, disabled) {
    var box = el("div", { className: "names" + (disabled ? " unset" : ""), "data-key": key });
    names.forEach(function (name) {
      var input = el("input", { type: "checkbox", value: name, checked: chosen.indexOf(name) >= 0, disabled: disabled });
      input.addEventListener("change", function () {
        onChange(Array.prototype.filter.call(box.querySelectorAll("input"), function (item) { return item.checked; })
          .map(function (item) { return item.value; }));
      });
      box.appendChild(el("label", {}, [input, " " + name]));
    });
    return box;
  }

  function defaultNames(key) {
    if (key === "partner_countries") { return schema.partners; }
    var field = fields[key];
    return Array.isArray(field.default) ? field.default : [];
  }

  function stringsWidget(field) {
    var key = field.key;
    if (!field.choices) {
      var text = el("input", { type: "text", id: "input-" + key, "data-key": key,
        placeholder: field.optional ? "default (comma-separated names)" : "comma-separated names" });
      text.value = (settings[key] || []).join(", ");
      text.addEventListener("input", function () {
        var names = text.value.split(",").map(function (item) { return item.trim(); }).filter(Boolean);
        setValue(key, names.length || !field.optional ? names : undefined);
      });
      return fieldBox(field, text);
    }
    var holder = el("div");
    var set = settings[key] !== undefined;
    var toggle = el("input", { type: "checkbox", checked: set, "aria-label": "override " + key });
    function draw() {
      holder.textContent = "";
      var isSet = settings[key] !== undefined;
      var chosen = isSet ? settings[key] : defaultNames(key);
      holder.appendChild(checkboxList(field.choices, chosen, key, function (names) { setValue(key, names); }, field.optional && !isSet));
    }
    toggle.addEventListener("change", function () {
      if (toggle.checked) { settings[key] = clone(defaultNames(key)); } else { delete settings[key]; }
      draw();
      scheduleSolve();
    });
    draw();
    var extra = field.optional ? [el("label", { className: "override" }, [toggle, " set (else the default)"])] : [];
    return fieldBox(field, holder, extra);
  }

  function weightsWidget(field) {
    var key = field.key;
    var holder = el("div");
    function draw() {
      holder.textContent = "";
      var weights = settings[key] || {};
      var table = el("table", { className: "weights" });
      Object.keys(weights).forEach(function (name) {
        var input = numberInput({ kind: "float", min: field.min, max: field.max, optional: false }, key + "." + name, weights[name],
          function (value) {
            var next = clone(settings[key] || {});
            next[name] = value;
            setValue(key, next);
          });
        var remove = el("button", { type: "button", text: "×", "aria-label": "remove " + name });
        remove.addEventListener("click", function () {
          var next = clone(settings[key] || {});
          delete next[name];
          setValue(key, next);
          draw();
        });
        var data = ((schema.data_weights || {})[key] || {})[name];
        table.appendChild(el("tr", {}, [el("td", { text: name }), el("td", {}, [input, issueSpan(key + "." + name)]),
          el("td", { className: "note", text: data === undefined ? "" : "data: " + data }), el("td", {}, [remove])]));
      });
      holder.appendChild(table);
      var picker;
      if (field.choices) {
        picker = el("select", { "aria-label": "add a name to " + key }, [el("option", { value: "", text: "add…" })]
          .concat(field.choices.filter(function (name) { return !(name in weights); })
            .map(function (name) { return el("option", { value: name, text: name }); })));
        picker.addEventListener("change", function () { add(picker.value); });
      } else {
        picker = el("input", { type: "text", placeholder: "add a name, Enter" });
        picker.addEventListener("keydown", function (event) {
          if (event.key === "Enter") { event.preventDefault(); add(picker.value.trim()); }
        });
      }
      holder.appendChild(picker);
    }
    function add(name) {
      if (!name) { return; }
      var next = clone(settings[key] || {});
      var data = (schema.data_weights || {})[key] || {};
      next[name] = name in data ? data[name] : 1.0;
      setValue(key, next);
      draw();
    }
    draw();
    return fieldBox(field, holder);
  }

  function exportControlsWidget(field) {
    var key = field.key;
    var holder = el("div");
    var elements = schema.names["export_controls.elements"] || [];
    function update(index, part, value) {
      var controls = clone(settings[key] || []);
      controls[index][part] = value;
      setValue(key, controls);
    }
    function draw() {
      holder.textContent = "";
      (settings[key] || []).forEach(function (control, index) {
        var at = key + "[" + index + "]";
        var remove = el("button", { type: "button", text: "remove", "aria-label": "remove export control " + (index + 1) });
        remove.addEventListener("click", function () {
          var controls = clone(settings[key] || []);
          controls.splice(index, 1);
          setValue(key, controls);
          draw();
        });
        var numbers = [["start_year", "int", 1900, 2200], ["end_year", "int", 1900, 2200], ["fraction", "float", 0, 1]].map(function (spec) {
          var input = numberInput({ kind: spec[1], min: spec[2], max: spec[3], optional: false }, at + "." + spec[0], control[spec[0]],
            function (value) { update(index, spec[0], value); });
          return el("label", {}, [spec[0].replace("_", " ") + " ", input, issueSpan(at + "." + spec[0])]);
        });
        holder.appendChild(el("div", { className: "control", "data-issue-for": null }, [
          el("div", { className: "row" }, [el("strong", { text: "control " + (index + 1) }), remove, issueSpan(at)]),
          checkboxList(elements, control.elements || [], at + ".elements", function (names) { update(index, "elements", names); }, false),
          issueSpan(at + ".elements"),
          el("div", { className: "row" }, numbers),
        ]));
      });
      var add = el("button", { type: "button", id: "add-export-control", text: "add export control (restricted elements)" });
      add.addEventListener("click", function () {
        var controls = clone(settings[key] || []);
        var years = schema.years;
        controls.push({ elements: clone(schema.restricted), start_year: Math.max(years[0], 2027), end_year: Math.min(years[1], 2030), fraction: 0.0 });
        setValue(key, controls);
        draw();
      });
      holder.appendChild(add);
    }
    draw();
    return fieldBox(field, holder);
  }

  function equipmentDelayWidget(field) {
    var key = field.key;
    var holder = el("div");
    var toggle = el("input", { type: "checkbox", checked: settings[key] !== undefined, "aria-label": "set " + key });
    function update(part, value) {
      var delay = clone(settings[key]);
      delay[part] = value;
      setValue(key, delay);
    }
    function draw() {
      holder.textContent = "";
      var delay = settings[key];
      if (delay === undefined) { return; }
      var years = numberInput({ kind: "int", min: 0, max: 20, optional: false }, key + ".years", delay.years, function (value) { update("years", value); });
      var projects = el("select", { multiple: true, size: 4, "data-key": key + ".projects", "aria-label": "delayed projects" },
        (schema.names["equipment_delay.projects"] || []).map(function (name) {
          return el("option", { value: name, text: name, selected: (delay.projects || []).indexOf(name) >= 0 });
        }));
      projects.addEventListener("change", function () {
        update("projects", Array.prototype.filter.call(projects.options, function (option) { return option.selected; })
          .map(function (option) { return option.value; }));
      });
      holder.appendChild(el("div", { className: "control" }, [
        el("label", {}, ["years ", years, issueSpan(key + ".years")]),
        el("div", { className: "note", text: "stages" }),
        checkboxList(schema.stages, delay.stages || [], key + ".stages", function (names) { update("stages", names); }, false),
        issueSpan(key + ".stages"),
        el("div", { className: "note", text: "projects" }), projects, issueSpan(key + ".projects"),
      ]));
    }
    toggle.addEventListener("change", function () {
      if (toggle.checked) { settings[key] = { years: 2, stages: ["separation", "metal", "magnet"], projects: [] }; } else { delete settings[key]; }
      draw();
      scheduleSolve();
    });
    draw();
    return fieldBox(field, holder, [el("label", { className: "override" }, [toggle, " set"])]);
  }

  function jsonWidget(field) {
    var area = el("textarea", { id: "input-" + field.key, "data-key": field.key, rows: 3, cols: 40, placeholder: "JSON" });
    area.value = settings[field.key] === undefined ? "" : JSON.stringify(settings[field.key]);
    area.addEventListener("change", function () {
      var text = area.value.trim();
      if (text === "") { setValue(field.key, undefined); return; }
      try { setValue(field.key, JSON.parse(text)); } catch (error) { showIssues([{ key: field.key, message: "not JSON: " + error.message }]); }
    });
    return fieldBox(field, area);
  }

  function widget(field) {
    var key = field.key;
    if (key === "budget_busd") { return fieldBox(field, budgetWidget(field)); }
    if (field.kind === "int" || field.kind === "float") {
      return fieldBox(field, numberInput(field, key, settings[key], function (value) { setValue(key, value); }));
    }
    if (field.kind === "bool") {
      var box = el("input", { type: "checkbox", id: "input-" + key, "data-key": key, checked: settings[key] === undefined ? field.default : settings[key] });
      box.addEventListener("change", function () { setValue(key, box.checked); });
      return fieldBox(field, box);
    }
    if ((field.kind === "str" || field.kind === "name") && field.choices) {
      var fallback = key === "demand_case" ? schema.default_demand_case : field.default;
      var options = (field.optional ? [el("option", { value: "", text: "default" + (fallback ? " (" + fallback + ")" : "") })] : [])
        .concat(field.choices.map(function (name) { return el("option", { value: name, text: name }); }));
      var select = el("select", { id: "input-" + key, "data-key": key }, options);
      select.value = settings[key] === undefined ? "" : settings[key];
      select.addEventListener("change", function () { setValue(key, select.value === "" ? undefined : select.value); });
      return fieldBox(field, select);
    }
    if (field.kind === "str" || field.kind === "name") {
      var text = el("input", { type: "text", id: "input-" + key, "data-key": key });
      text.value = settings[key] === undefined ? "" : settings[key];
      text.addEventListener("input", function () { setValue(key, text.value === "" && field.optional ? undefined : text.value); });
      return fieldBox(field, text);
    }
    if (field.kind === "strings") { return stringsWidget(field); }
    if (field.kind === "weights") { return weightsWidget(field); }
    if (field.kind === "export_controls") { return exportControlsWidget(field); }
    if (field.kind === "equipment_delay") { return equipmentDelayWidget(field); }
    return jsonWidget(field);
  }

  function drawForm() {
    var main = document.getElementById("main-fields");
    var more = document.getElementById("more-fields");
    main.textContent = "";
    more.textContent = "";
    schema.fields.forEach(function (field) {
      if (field.key === "name") { return; }
      (field.main ? main : more).appendChild(widget(field));
    });
    document.getElementById("scenario-name").value = settings.name || "";
  }

  document.getElementById("scenario-name").addEventListener("input", function (event) {
    setValue("name", event.target.value);
  });

  // Issues --------------------------------------------------------------------------------------------------

  function parents(key) {
    var chain = [key];
    while (/(\.[^.[\]]+|\[\d+\])$/.test(key)) {
      key = key.replace(/(\.[^.[\]]+|\[\d+\])$/, "");
      chain.push(key);
    }
    return chain;
  }

  function clearIssues() {
    document.querySelectorAll(".issue").forEach(function (node) { node.textContent = ""; });
    document.querySelectorAll(".invalid").forEach(function (node) { node.classList.remove("invalid"); });
    document.getElementById("form-issues").textContent = "";
  }

  function showIssues(issues) {
    clearIssues();
    var general = document.getElementById("form-issues");
    issues.forEach(function (issue) {
      var key = issue.key || "";
      var input = key ? document.querySelector('[data-key="' + CSS.escape(key) + '"]') : null;
      if (input) { input.classList.add("invalid"); }
      var place = null;
      parents(key).some(function (candidate) {
        place = candidate ? document.querySelector('[data-issue-for="' + CSS.escape(candidate) + '"]') : null;
        return place !== null;
      });
      var text = (place && key !== place.dataset.issueFor ? key + ": " : "") + issue.message;
      if (place) {
        place.textContent = place.textContent ? place.textContent + "; " + text : text;
        var details = place.closest("details");
        if (details) { details.open = true; }
      } else {
        general.appendChild(el("div", { text: (key ? key + ": " : "") + issue.message }));
      }
    });
  }

  // Solving -------------------------------------------------------------------------------------------------

  var timer = null, inFlight = false, pending = false, changedAt = null;

  function scheduleSolve() {
    pending = true;
    if (changedAt === null) { changedAt = performance.now(); }
    document.getElementById("plan-panel").classList.add("stale");
    clearTimeout(timer);
    timer = setTimeout(runSolve, DEBOUNCE_MS);
  }

  function runSolve() {
    if (inFlight || !pending) { return; }
    pending = false;
    inFlight = true;
    var started = changedAt;
    changedAt = null;
    document.body.dataset.state = "solving";
    var status = document.getElementById("status");
    status.className = "status busy";
    status.textContent = "Solving…";
    api("POST", "/api/solve", { settings: clone(settings) }).then(function (response) {
      return show(response, started);
    }).catch(function (error) {
      failed("The server could not be reached: " + error.message, []);
    }).then(function () {
      inFlight = false;
      if (pending) { runSolve(); }
    });
  }

  function failed(words, issues, state) {
    document.body.dataset.state = state || "failed";
    var status = document.getElementById("status");
    status.className = "status bad";
    status.textContent = "";
    status.appendChild(el("strong", { text: words }));
    if (state === "invalid") {
      status.appendChild(el("span", { className: "message", text: "The plan below is not re-solved until the settings are valid." }));
    }
    showIssues(issues || []);
  }

  function show(response, started) {
    if (response.status === 422) {
      var issues = (response.body && response.body.issues) || [];
      failed(issues.length === 1 ? "One setting is not valid: see beside it." : issues.length + " settings are not valid: see beside them.",
        issues.length ? issues : [{ key: "", message: detail(response) }], "invalid");
      return null;
    }
    if (!response.ok) {
      failed(detail(response), []);
      return null;
    }
    clearIssues();
    var payload = response.body;
    window.workbench.last = payload;
    var status = document.getElementById("status");
    status.textContent = "";
    status.className = "status " + (payload.status === "optimal" ? "ok" : "bad");
    status.appendChild(el("strong", { text: payload.status_words }));
    var timing = payload.timings || {};
    var words = payload.message + " Solved " + (timing.warm ? "warm" : "cold") + " in " + fixed(timing.solve_seconds, 3) + " s";
    if (timing.build_seconds) { words += " after building the model (" + fixed(timing.build_seconds, 1) + " s)"; }
    status.appendChild(el("span", { className: "message", text: words + "." }));
    if (timing.solve_seconds > SLOW_SECONDS) {
      status.appendChild(el("span", { className: "message slow", text: "Slow solve: " + fixed(timing.solve_seconds, 2) + " s." }));
    }
    (payload.warnings || []).forEach(function (warning) { status.appendChild(el("span", { className: "message", text: "warning: " + warning })); });
    drawHeadline(payload);
    var headlineAt = performance.now();
    document.getElementById("plan-panel").classList.remove("stale");
    return drawCharts(payload).then(function () {
      var chartsAt = performance.now();
      document.body.dataset.state = payload.status === "optimal" ? "ready" : "failed";
      if (started !== null) {
        latencies.push({ headline_ms: headlineAt - started, charts_ms: chartsAt - started, server: timing });
      }
      document.body.dataset.solves = String(latencies.length);
    });
  }

  function card(label, value, unit, id, data) {
    return el("div", { className: "card" }, [
      el("span", { className: "label", text: label }),
      el("span", { className: "value", id: id, "data-value": data }, [value]),
      el("span", { className: "unit", text: unit }),
    ]);
  }

  function drawHeadline(payload) {
    var holder = document.getElementById("headline");
    holder.textContent = "";
    var headline = payload.headline;
    if (!headline) {
      holder.appendChild(el("p", { className: "chart-message", id: "no-plan", text: "No plan: " + payload.status_words }));
      return;
    }
    holder.appendChild(el("div", { className: "cards" }, [
      card("objective (" + headline.objective_name + ")", fixed(headline.objective, 4), "points: dependence 0-100, plus K × unmet share",
        "objective", String(headline.objective)),
      card("budget used", "$" + fixed(headline.budget_used_busd, 2) + "B", "of $" + fixed(headline.budget_busd, 2) + "B; " + headline.builds + " builds",
        "budget-used", String(headline.budget_used_busd)),
      card("budget's marginal value", fixed(headline.budget_dual, 4), "points per extra $1B, " + (headline.budget_dual_words || "n/a"),
        "budget-dual", String(headline.budget_dual)),
      card("shortfall", Math.round(headline.total_shortfall_t || 0).toLocaleString("en") + " t", "ROW demand left unmet, all stages and years",
        "shortfall", String(headline.total_shortfall_t)),
    ]));
    var head = [el("th", { text: "elements" }), el("th", { text: "stage" })].concat(headline.years.map(function (year) {
      return el("th", { className: "num", text: String(year) });
    }));
    var table = el("table", { className: "dependence", id: "dependence-table" }, [
      el("caption", { text: "China dependence with this plan (without new builds)" }),
      el("thead", {}, [el("tr", {}, head)]),
    ]);
    var body = el("tbody");
    headline.rows.forEach(function (row, index) {
      var label = row.group === "all" ? "all" : "restricted" + (headline.restricted.length ? " (" + headline.restricted.join(" ") + ")" : "");
      if (index > 0 && headline.rows[index - 1].group === row.group) { label = ""; }
      body.appendChild(el("tr", {}, [el("th", { text: label }), el("td", { text: row.stage })].concat(row.plan.map(function (value, index) {
        return el("td", { className: "num" }, [percent(value) + " ", el("span", { className: "without", text: "(" + percent(row.baseline[index]) + ")" })]);
      }))));
    });
    table.appendChild(body);
    holder.appendChild(table);
    if (headline.baseline_status !== "optimal") {
      holder.appendChild(el("p", { className: "note", text: "Without new builds: the budget-0 solve ended " + headline.baseline_status + "." }));
    }
  }

  function drawCharts(payload) {
    var drawing = [];
    CHART_KEYS.forEach(function (key) {
      var chart = (payload.charts || {})[key];
      var block = document.getElementById("block-" + key);
      var node = document.getElementById("chart-" + key);
      var message = block.querySelector(".chart-message");
      if (!chart) {
        block.hidden = true;
        Plotly.purge(node);
        return;
      }
      block.hidden = false;
      block.querySelector(".chart-title").textContent = chart.title;
      block.querySelector(".chart-caption").textContent = chart.caption;
      if (chart.figure) {
        message.hidden = true;
        node.hidden = false;
        drawing.push(Plotly.react(node, chart.figure.data, chart.figure.layout, plotlyConfig));
      } else {
        Plotly.purge(node);
        node.hidden = true;
        message.hidden = false;
        message.textContent = chart.message;
      }
    });
    return Promise.all(drawing);
  }

  // Starting points and saving --------------------------------------------------------------------------------

  var catalog = { scenarios: [], sweeps: [], results: [] };

  function fillStartFrom() {
    var select = document.getElementById("start-from");
    var chosen = select.value;
    select.textContent = "";
    var shipped = el("optgroup", { label: "shipped scenarios" }, catalog.scenarios.map(function (name) {
      return el("option", { value: "shipped:" + name, text: name });
    }));
    var saved = el("optgroup", { label: "saved results" }, catalog.results.filter(function (entry) { return entry.has_scenario; })
      .map(function (entry) { return el("option", { value: "saved:" + entry.name, text: entry.name }); }));
    select.appendChild(shipped);
    select.appendChild(saved);
    if (chosen) { select.value = chosen; }
  }

  function refreshCatalog() {
    return api("GET", "/api/catalog").then(function (response) {
      if (!response.ok) { return; }
      catalog = response.body;
      fillStartFrom();
      drawResults();
      var sweepSelect = document.getElementById("sweep-file");
      sweepSelect.textContent = "";
      catalog.sweeps.forEach(function (name) { sweepSelect.appendChild(el("option", { value: name, text: name })); });
      var stressSelect = document.getElementById("stress-scenarios");
      var picked = Array.prototype.filter.call(stressSelect.options, function (option) { return option.selected; }).map(function (option) { return option.value; });
      stressSelect.textContent = "";
      catalog.scenarios.forEach(function (name) {
        stressSelect.appendChild(el("option", { value: name, text: name, selected: picked.indexOf(name) >= 0 }));
      });
    });
  }

  document.getElementById("load").addEventListener("click", function () {
    var value = document.getElementById("start-from").value;
    if (!value) { return; }
    var kind = value.split(":")[0], name = value.slice(kind.length + 1);
    var url = kind === "shipped" ? "/api/scenarios/" + encodeURIComponent(name) : "/api/results/" + encodeURIComponent(name) + "/scenario";
    api("GET", url).then(function (response) {
      if (!response.ok) { failed(detail(response), []); return; }
      settings = response.body.settings;
      drawForm();
      scheduleSolve();
    });
  });

  function save(overwrite) {
    var note = document.getElementById("save-status");
    note.textContent = "saving (a full run and its report)…";
    document.body.dataset.saving = "true";
    return api("POST", "/api/save", { settings: clone(settings), overwrite: overwrite }).then(function (response) {
      document.body.dataset.saving = "false";
      if (response.status === 409 && !overwrite && /exists/.test(detail(response))) {
        if (window.confirm(detail(response) + "\n\nReplace it?")) { return save(true); }
        note.textContent = "not saved: " + detail(response);
        return null;
      }
      if (response.status === 422) {
        note.textContent = "not saved: the settings are not valid";
        showIssues(response.body.issues || []);
        return null;
      }
      if (!response.ok) { note.textContent = "not saved: " + detail(response); return null; }
      var saved = response.body;
      note.textContent = "saved " + saved.name + " (" + saved.status + (saved.objective === null ? "" : ", objective " + fixed(saved.objective, 4)) + ")";
      document.body.dataset.saved = saved.name;
      return refreshCatalog();
    });
  }

  document.getElementById("save").addEventListener("click", function () { save(false); });

  // Saved results -------------------------------------------------------------------------------------------

  function resultUrl(name, file, download) {
    return "/results/" + encodeURIComponent(name) + "/" + file.split("/").map(encodeURIComponent).join("/") + (download ? "?download=1" : "");
  }

  function openReport(name) {
    var block = document.getElementById("viewer-block");
    var url = resultUrl(name, "report.html");
    document.getElementById("viewer-title").textContent = "Report of " + name;
    document.getElementById("viewer-link").href = url;
    document.getElementById("viewer").src = url;
    block.hidden = false;
    block.scrollIntoView({ behavior: "instant", block: "start" });
  }

  document.getElementById("viewer-close").addEventListener("click", function () {
    document.getElementById("viewer-block").hidden = true;
    document.getElementById("viewer").removeAttribute("src");
  });

  function drawResults() {
    var body = document.querySelector("#results-table tbody");
    var ticked = selectedResults();
    body.textContent = "";
    catalog.results.forEach(function (entry) {
      var tick = el("input", { type: "checkbox", value: entry.name, checked: ticked.indexOf(entry.name) >= 0, "aria-label": "select " + entry.name });
      var open = entry.report ? el("button", { type: "button", className: "open", text: "open", "data-name": entry.name }) : el("span", { className: "note", text: entry.complete ? "no report" : "incomplete" });
      if (entry.report) { open.addEventListener("click", function () { openReport(entry.name); }); }
      var files = el("span", { className: "files" }, entry.files.filter(function (file) { return file.indexOf("/") < 0; }).map(function (file) {
        return el("a", { href: resultUrl(entry.name, file, true), text: file });
      }));
      var remove = el("button", { type: "button", text: "delete", "aria-label": "delete " + entry.name });
      remove.addEventListener("click", function () {
        if (!window.confirm("Delete " + entry.name + "? This cannot be undone.")) { return; }
        api("DELETE", "/api/results/" + encodeURIComponent(entry.name)).then(function (response) {
          document.getElementById("library-status").textContent = response.ok ? "deleted " + entry.name : detail(response);
          refreshCatalog();
        });
      });
      body.appendChild(el("tr", { "data-name": entry.name }, [
        el("td", {}, [tick]), el("td", { text: entry.name }), el("td", { text: entry.kind }),
        el("td", { text: entry.status || (entry.complete ? "" : "incomplete") }),
        el("td", { className: "num", text: entry.objective === null ? "" : fixed(entry.objective, 4) }),
        el("td", { className: "num", text: entry.budget_busd === null ? "" : fixed(entry.budget_busd, 2) }),
        el("td", {}, [open]), el("td", {}, [files]), el("td", {}, [remove]),
      ]));
    });
  }

  function selectedResults() {
    return Array.prototype.filter.call(document.querySelectorAll("#results-table tbody input[type=checkbox]"), function (input) {
      return input.checked;
    }).map(function (input) { return input.value; });
  }

  document.getElementById("compare").addEventListener("click", function () {
    var note = document.getElementById("library-status");
    var names = selectedResults();
    note.textContent = "comparing " + names.join(", ") + "…";
    api("POST", "/api/compare", { names: names }).then(function (response) {
      if (!response.ok) { note.textContent = "not compared: " + detail(response); return; }
      note.textContent = "compared into " + response.body.name;
      refreshCatalog().then(function () { if (response.body.report) { openReport(response.body.name); } });
    });
  });

  document.getElementById("stress").addEventListener("click", function () {
    var note = document.getElementById("library-status");
    var scenarios = Array.prototype.filter.call(document.getElementById("stress-scenarios").options, function (option) { return option.selected; })
      .map(function (option) { return option.value; });
    api("POST", "/api/stress", { portfolios: selectedResults(), scenarios: scenarios }).then(function (response) {
      note.textContent = response.ok ? "stress test started" : "not started: " + detail(response);
      if (response.ok) { pollJobs(); }
    });
  });

  // Sweeps and jobs -------------------------------------------------------------------------------------------

  function startSweep(body) {
    api("POST", "/api/sweeps", body).then(function (response) {
      document.getElementById("library-status").textContent = response.ok ? "started " + response.body.description : "not started: " + detail(response);
      if (response.status === 422) { showIssues(response.body.issues || []); }
      if (response.ok) { pollJobs(); }
    });
  }

  document.getElementById("run-sweep").addEventListener("click", function () { startSweep({ file: document.getElementById("sweep-file").value }); });
  document.getElementById("run-frontier").addEventListener("click", function () { startSweep({ frontier_from: clone(settings) }); });

  var polling = null;

  function pollJobs() {
    if (polling !== null) { return; }
    polling = setTimeout(function tick() {
      api("GET", "/api/jobs").then(function (response) {
        var jobs = response.ok ? response.body : [];
        drawJobs(jobs);
        var running = jobs.some(function (job) { return job.state === "running"; });
        polling = running ? setTimeout(tick, JOB_POLL_MS) : null;
        if (!running) { refreshCatalog(); }
      });
    }, 200);
  }

  function drawJobs(jobs) {
    var body = document.querySelector("#jobs-table tbody");
    body.textContent = "";
    jobs.forEach(function (job) {
      var bar = el("progress", { max: job.total || 1, value: job.total ? job.done : null });
      var action = null;
      if (job.state === "running") {
        action = el("button", { type: "button", text: "cancel" });
        action.addEventListener("click", function () { api("POST", "/api/jobs/" + job.id + "/cancel").then(pollJobs); });
      } else if (job.state === "finished") {
        action = el("button", { type: "button", text: "open report" });
        action.addEventListener("click", function () { openReport(job.name); });
      }
      body.appendChild(el("tr", { "data-job": job.id, "data-state": job.state }, [
        el("td", { text: job.description + " → " + job.name }),
        el("td", {}, [bar, " " + job.done + "/" + (job.total === null ? "?" : job.total)]),
        el("td", { text: job.state + (job.message ? ": " + job.message : "") }),
        el("td", {}, [action]),
      ]));
    });
  }

  // Start -----------------------------------------------------------------------------------------------------

  drawForm();
  refreshCatalog();
  pollJobs();
  scheduleSolve();
})();
