// flashpoint's map page: an SVG map (Web Mercator) with country outlines served by this server,
// clustered event markers, a brushable timeline, filters kept in the URL.
// Data from the API is untrusted text: every string reaches the page through textContent or
// setAttribute on attributes that are not URLs; nothing is ever parsed as HTML.
"use strict";

(() => {
  const SVG = "http://www.w3.org/2000/svg";
  const TYPE_COLOURS = {
    "Battles": "#d1495b",
    "Explosions/Remote violence": "#f08a24",
    "Violence against civilians": "#8e5cc2",
    "Protests": "#2f7fc1",
    "Riots": "#d4a31b",
    "Strategic developments": "#3a9b6b",
  };
  const OTHER_COLOUR = "#7b8794";
  const FILTERS = ["since", "until", "country", "admin1", "event_type", "sub_event_type", "actor", "side", "q",
                   "disputed", "bbox"];
  const MAX_EVENTS = 5000;   // the map plots the newest this many (the API lists newest first)
  const LIST_ROWS = 300;     // rows in the list beside the map (the downloads hold every match)
  const CELL = 46;           // clustering grid, in screen pixels
  const MAP_HEIGHT = 520;

  const state = {filters: {}, features: [], total: 0, outlines: null, view: null, days: [], tileUrl: ""};

  // --- small DOM helpers (text only) ------------------------------------------------------------
  function svg(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  function html(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }
  const $ = (id) => document.getElementById(id);
  const colourOf = (type) => TYPE_COLOURS[type] || OTHER_COLOUR;

  // --- filters <-> URL <-> form ------------------------------------------------------------------
  function filtersFromUrl() {
    const params = new URLSearchParams(window.location.search);
    const out = {};
    for (const name of FILTERS) {
      const value = params.get(name);
      if (value) out[name] = value;
    }
    return out;
  }
  function filtersFromForm() {
    const out = {};
    for (const name of FILTERS) {
      const input = $("f-" + name);
      if (!input) continue;
      if (input.type === "checkbox") { if (input.checked) out[name] = "true"; }
      else if (input.value.trim()) out[name] = input.value.trim();
    }
    return out;
  }
  function fillForm(filters) {
    for (const name of FILTERS) {
      const input = $("f-" + name);
      if (!input) continue;
      if (input.type === "checkbox") input.checked = filters[name] === "true" || filters[name] === "1";
      else {
        if (input.tagName === "SELECT" && filters[name] && ![...input.options].some((o) => o.value === filters[name])) {
          input.appendChild(html("option", {value: filters[name]}, filters[name]));
        }
        input.value = filters[name] || "";
      }
    }
  }
  const query = (filters) => new URLSearchParams(filters).toString();

  function applyFilters(filters, push) {
    state.filters = filters;
    const qs = query(filters);
    if (push) window.history.pushState(null, "", qs ? "?" + qs : window.location.pathname);
    fillForm(filters);
    load();
  }

  // --- data ------------------------------------------------------------------------------------------
  async function getJson(url) {
    const response = await fetch(url, {headers: {Accept: "application/json"}});
    const body = await response.json();
    if (!response.ok) throw new Error(body && body.error ? body.error.message : response.statusText);
    return body;
  }

  async function load() {
    const qs = query(state.filters);
    setStatus("Loading…");
    for (const [id, fmt] of [["dl-csv", "csv"], ["dl-geojson", "geojson"], ["dl-json", ""]]) {
      const params = new URLSearchParams(state.filters);
      if (fmt) params.set("format", fmt);
      $(id).setAttribute("href", "/api/events?" + params.toString());
    }
    try {
      const [events, timeline] = await Promise.all([
        getJson(`/api/events?format=geojson&compact=true&limit=${MAX_EVENTS}&count=exact&${qs}`),
        getJson(`/api/timeline?${qs}`),
      ]);
      state.features = events.features.filter((f) => f.geometry);
      state.all = events.features;
      state.total = events.total;
      state.days = timeline.days;
      fitView();
      drawMap();
      drawTimeline();
      fillList();
      setStatus(statusText(events));
      const listed = Math.min(events.features.length, LIST_ROWS);
      $("count").textContent = listed < events.total ? `(newest ${fmt(listed)} of ${fmt(events.total)})` : `(${fmt(events.total)})`;
    } catch (err) {
      setStatus("Could not load events: " + err.message);
    }
  }
  function setStatus(text) { $("status").textContent = text; }
  const fmt = (n) => Number(n).toLocaleString("en");

  function statusText(events) {
    // Say what the map holds: all matches, or the newest N of a larger total; and why it is empty.
    if (events.warnings && events.warnings.length) return events.warnings.join(" ");
    const total = events.total, n = events.features.length;
    const unplaced = n - state.features.length;
    let text = n < total ? `Showing the newest ${fmt(n)} of ${fmt(total)} events (narrow the filters or download all)`
      : `${fmt(total)} event${total === 1 ? "" : "s"}`;
    if (!total) text = "No event matches these filters.";
    if (unplaced > 0) text += ` · ${fmt(unplaced)} without coordinates (listed, not mapped)`;
    return text;
  }

  async function loadFacets() {
    try {
      const facets = await getJson("/api/facets");
      const country = $("f-country");
      for (const name of facets.countries) country.appendChild(html("option", {value: name}, name));
      const sub = $("f-sub_event_type");
      for (const name of facets.sub_event_types) sub.appendChild(html("option", {value: name}, name));
      const sides = $("sides");
      for (const name of facets.sides) sides.appendChild(html("option", {value: name}));
      state.span = facets.dates;
      fillForm(state.filters);
    } catch (err) { /* menus stay minimal; filters still work by typing */ }
  }

  async function loadOutlines() {
    try {
      const response = await fetch("/outlines.json");
      if (!response.ok) return;
      const data = await response.json();
      state.outlines = data.features.map((f) => {
        const rings = [];
        let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
        for (const polygon of f.geometry.coordinates) {
          for (const ring of polygon) {
            const projected = ring.map(([lon, lat]) => project(lon, lat));
            for (const [x, y] of projected) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); }
            rings.push(projected);
          }
        }
        const [lx, ly] = f.properties.label || [];
        const label = typeof lx === "number" && typeof ly === "number" ? project(lx, ly) : null;
        return {name: f.properties.name, rings, box: [x0, y0, x1, y1], label, minLabel: f.properties.min_label || 5};
      });
      drawMap();
    } catch (err) { /* the markers still show without outlines */ }
  }

  // --- projection and view ---------------------------------------------------------------------------
  function project(lon, lat) {
    const clamped = Math.max(-85, Math.min(85, lat));
    const s = Math.sin(clamped * Math.PI / 180);
    return [(lon + 180) / 360, 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)];
  }
  function unproject(x, y) {
    const lon = x * 360 - 180;
    const lat = Math.atan(Math.sinh(Math.PI * (1 - 2 * y))) * 180 / Math.PI;
    return [lon, lat];
  }
  function size() {
    const box = $("map");
    return {w: Math.max(box.clientWidth, 300), h: MAP_HEIGHT};
  }
  function scale() { return 256 * Math.pow(2, state.view.z); }
  function toScreen([x, y]) {
    const {w, h} = size();
    const k = scale();
    return [(x - state.view.cx) * k + w / 2, (y - state.view.cy) * k + h / 2];
  }
  function fitBox(x0, y0, x1, y1, maxZoom) {
    const {w, h} = size();
    const dx = Math.max(x1 - x0, 1e-6), dy = Math.max(y1 - y0, 1e-6);
    const z = Math.log2(Math.min(w / (dx * 256), h / (dy * 256)));
    state.view = {cx: (x0 + x1) / 2, cy: (y0 + y1) / 2, z: Math.max(0.5, Math.min(maxZoom, z))};
  }
  function fitView() {
    if (state.filters.bbox) {
      const [w, s, e, n] = state.filters.bbox.split(",").map(Number);
      const [x0, y1] = project(w, s), [x1, y0] = project(e, n);
      fitBox(x0, y0, x1, y1, 12);
      return;
    }
    const pts = state.features.map((f) => project(f.geometry.coordinates[0], f.geometry.coordinates[1]));
    if (!pts.length) { fitBox(0, 0.15, 1, 0.85, 3); return; }
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const [x, y] of pts) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); }
    const padX = Math.max((x1 - x0) * 0.35, 0.004), padY = Math.max((y1 - y0) * 0.35, 0.004);
    fitBox(x0 - padX, y0 - padY, x1 + padX, y1 + padY, 9);
  }

  // --- drawing the map ---------------------------------------------------------------------------------
  function drawMap() {
    if (!state.view) return;
    const root = $("map-svg");
    const {w, h} = size();
    root.setAttribute("viewBox", `0 0 ${w} ${h}`);
    root.setAttribute("width", w);
    root.setAttribute("height", h);
    root.replaceChildren(svg("rect", {x: 0, y: 0, width: w, height: h, class: "sea"}));
    if (state.tileUrl) root.appendChild(drawTiles(w, h));
    if (state.outlines) { root.appendChild(drawOutlines(w, h)); keepLabelsInside(root, w); }
    root.appendChild(drawMarkers());
    root.appendChild(drawScale(w, h));
  }

  function keepLabelsInside(root, w) {
    // Measured now that they are drawn: slide a name that runs off an edge back in, or drop it.
    for (const t of root.querySelectorAll("text.country-label")) {
      const b = t.getBBox();
      if (b.width > w - 8) { t.remove(); continue; }
      const shift = b.x < 4 ? 4 - b.x : b.x + b.width > w - 4 ? w - 4 - b.x - b.width : 0;
      if (shift) t.setAttribute("x", (Number(t.getAttribute("x")) + shift).toFixed(1));
    }
  }

  function drawScale(w, h) {
    // A scale bar for the map's centre latitude: the longest round distance under 120 px.
    const lat = unproject(state.view.cx, state.view.cy)[1];
    const metresPerPx = 40075016.686 * Math.cos(lat * Math.PI / 180) / scale();
    const steps = [1, 2, 5];
    let best = 1;
    for (let e = 0; e < 8; e++) for (const s of steps) { const m = s * Math.pow(10, e); if (m / metresPerPx <= 120) best = m; }
    const px = best / metresPerPx;
    const label = best >= 1000 ? `${best / 1000} km` : `${best} m`;
    const g = svg("g", {class: "scale", transform: `translate(12 ${h - 18})`});
    g.appendChild(svg("rect", {x: -4, y: -14, width: px + 8 + 8 * label.length, height: 22, class: "scale-bg"}));
    g.appendChild(svg("path", {d: `M0 -6 V0 H${px.toFixed(1)} V-6`, class: "scale-line"}));
    g.appendChild(svg("text", {x: px + 6, y: 0, class: "scale-text"}, label));
    g.dataset.metres = String(best);
    return g;
  }

  function drawTiles(w, h) {
    const group = svg("g", {class: "tiles"});
    const zi = Math.max(0, Math.min(18, Math.round(state.view.z)));
    const n = Math.pow(2, zi);
    const tile = scale() / n;
    const [ox, oy] = toScreen([0, 0]);
    const first = Math.floor(-ox / tile), last = Math.floor((w - ox) / tile);
    const top = Math.max(0, Math.floor(-oy / tile)), bottom = Math.min(n - 1, Math.floor((h - oy) / tile));
    for (let tx = first; tx <= last; tx++) {
      for (let ty = top; ty <= bottom; ty++) {
        const wrapped = ((tx % n) + n) % n;
        const href = state.tileUrl.replace("{z}", zi).replace("{x}", wrapped).replace("{y}", ty);
        group.appendChild(svg("image", {href, x: ox + tx * tile, y: oy + ty * tile, width: tile + 0.5, height: tile + 0.5}));
      }
    }
    return group;
  }

  function drawOutlines(w, h) {
    const group = svg("g", {class: "countries"});
    const k = scale();
    const {cx, cy} = state.view;
    const left = cx - w / 2 / k, right = cx + w / 2 / k, top = cy - h / 2 / k, bottom = cy + h / 2 / k;
    for (const c of state.outlines) {
      const [x0, y0, x1, y1] = c.box;
      if (x1 < left || x0 > right || y1 < top || y0 > bottom) continue;
      let d = "";
      for (const ring of c.rings) {
        let prev = null;
        for (let i = 0; i < ring.length; i++) {
          const sx = Math.round(((ring[i][0] - cx) * k + w / 2) * 10) / 10;
          const sy = Math.round(((ring[i][1] - cy) * k + h / 2) * 10) / 10;
          const p = sx + " " + sy;
          if (p === prev) continue;
          d += (i === 0 ? "M" : "L") + p;
          prev = p;
        }
        d += "Z";
      }
      const path = svg("path", {d, class: "country"});
      path.appendChild(svg("title", {}, c.name || ""));
      group.appendChild(path);
    }
    // Names on top of every outline, only where Natural Earth says a label fits at this zoom.
    for (const c of state.outlines) {
      if (!c.label || !c.name || state.view.z + 0.5 < c.minLabel) continue;
      const [sx, sy] = toScreen(c.label);
      if (sx < 0 || sx > w || sy < 12 || sy > h - 4) continue;
      // Slide a label that would run off the map back inside it (about 6.5 px per character).
      const half = c.name.length * 3.3 + 4;
      if (half * 2 > w) continue;
      const x = Math.min(Math.max(sx, half), w - half);
      group.appendChild(svg("text", {x: x.toFixed(1), y: sy.toFixed(1), class: "country-label", "text-anchor": "middle"}, c.name));
    }
    return group;
  }

  function clusters() {
    // Greedy: each event joins the first cluster whose centre lies within CELL pixels, found
    // through a grid of cluster seeds (3x3 neighbourhood), so nearby markers never overlap.
    const grid = new Map();
    const out = [];
    const points = state.features.map((f) => ({f, p: toScreen(project(f.geometry.coordinates[0], f.geometry.coordinates[1]))}));
    for (const {f, p: [sx, sy]} of points) {
      const gx = Math.floor(sx / CELL), gy = Math.floor(sy / CELL);
      let home = null;
      for (let dx = -1; dx <= 1 && !home; dx++) {
        for (let dy = -1; dy <= 1 && !home; dy++) {
          for (const c of grid.get((gx + dx) + ":" + (gy + dy)) || []) {
            if (Math.hypot(c.sx - sx, c.sy - sy) < CELL) { home = c; break; }
          }
        }
      }
      if (!home) {
        home = {sx, sy, x: 0, y: 0, items: []};
        const key = gx + ":" + gy;
        if (!grid.has(key)) grid.set(key, []);
        grid.get(key).push(home);
        out.push(home);
      }
      home.x += sx; home.y += sy; home.items.push(f);
    }
    return out.map((c) => ({x: c.x / c.items.length, y: c.y / c.items.length, items: c.items}));
  }

  function describe(p) {
    const who = p.claimant && p.claimant.name ? ` · per ${p.claimant.name}` : "";
    return `${p.event_date || "undated"} · ${p.event_type || "event"} · ${p.location || ""}` +
      ` · ${p.fatalities} killed${who}`;
  }

  function drawMarkers() {
    const group = svg("g", {class: "markers"});
    const list = clusters().sort((a, b) => b.items.length - a.items.length);
    for (const c of list) {
      const fatalities = c.items.reduce((n, f) => n + (f.properties.fatalities || 0), 0);
      const byType = new Map();
      for (const f of c.items) byType.set(f.properties.event_type, (byType.get(f.properties.event_type) || 0) + 1);
      const dominant = [...byType.entries()].sort((a, b) => b[1] - a[1])[0][0];
      // Area grows with fatalities (per event in a cluster), a cluster also with its size; capped
      // below half the clustering distance so that neighbouring markers never overlap.
      const n = c.items.length;
      const r = Math.min(CELL / 2 - 2, 5 + 1.8 * Math.sqrt(fatalities / n) + (n > 1 ? 2.2 * Math.log2(n) : 0));
      const g = svg("g", {class: c.items.length > 1 ? "marker cluster" : "marker", tabindex: 0});
      g.setAttribute("transform", `translate(${c.x.toFixed(1)} ${c.y.toFixed(1)})`);
      if (byType.size > 1) g.appendChild(svg("circle", {r: r + 3, fill: "none", stroke: colourOf([...byType.keys()].find((t) => t !== dominant)), "stroke-width": 3}));
      g.appendChild(svg("circle", {r, fill: colourOf(dominant)}));
      if (c.items.length > 1) g.appendChild(svg("text", {"text-anchor": "middle", dy: "0.35em"}, c.items.length));
      const title = c.items.length === 1 ? describe(c.items[0].properties)
        : `${c.items.length} events, ${fatalities} killed — ` + [...byType.entries()].map(([t, n]) => `${n} ${t || "other"}`).join(", ");
      g.appendChild(svg("title", {}, title));
      g.dataset.count = String(c.items.length);
      if (state.view.z >= 6) {
        // Zoomed in, name the place (the events' own place names: the map has no town layer offline).
        const names = [...new Set(c.items.map((f) => f.properties.location).filter(Boolean))];
        if (names.length) g.appendChild(svg("text", {x: r + 4, y: 4, class: "place-label"}, names.length > 1 ? `${names[0]} +${names.length - 1}` : names[0]));
      }
      g.addEventListener("click", (ev) => { ev.stopPropagation(); openCluster(c); });
      g.addEventListener("keydown", (ev) => { if (ev.key === "Enter") openCluster(c); });
      group.appendChild(g);
    }
    return group;
  }

  function spreadPx(c) {
    // How far apart (screen pixels, at this zoom) the cluster's events lie.
    const pts = c.items.map((f) => toScreen(project(f.geometry.coordinates[0], f.geometry.coordinates[1])));
    let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
    for (const [x, y] of pts) { x0 = Math.min(x0, x); y0 = Math.min(y0, y); x1 = Math.max(x1, x); y1 = Math.max(y1, y); }
    return Math.max(x1 - x0, y1 - y0);
  }

  function openCluster(c) {
    if (c.items.length === 1) {
      window.location.href = eventHref(c.items[0].properties);
      return;
    }
    // Zooming in two levels multiplies distances by four: when that still cannot separate the
    // events (one spot, or the deepest zoom), list them instead.
    if (spreadPx(c) * 4 < CELL || state.view.z >= 15) { showList(c); return; }
    zoomAt(c.x, c.y, 2);
  }

  function eventHref(p) {
    return p.incident_id !== null && p.incident_id !== undefined
      ? "/incidents/" + encodeURIComponent(p.incident_id) : "/documents/" + encodeURIComponent(p.document_id);
  }

  function showList(c) {
    const box = $("spot-list");
    const items = [...c.items].sort((a, b) => (b.properties.event_date || "").localeCompare(a.properties.event_date || ""));
    const places = [...new Set(items.map((f) => f.properties.location).filter(Boolean))];
    box.replaceChildren();
    const head = html("div", {class: "spot-head"});
    head.appendChild(html("strong", {}, `${items.length} events at ${places.slice(0, 2).join(", ") || "this spot"}`));
    const close = html("button", {type: "button", class: "close", "aria-label": "close"}, "×");
    close.addEventListener("click", () => { box.hidden = true; });
    head.appendChild(close);
    box.appendChild(head);
    const list = html("ol", {class: "spot-items"});
    for (const f of items) {
      const p = f.properties;
      const li = html("li");
      li.appendChild(html("a", {href: eventHref(p)}, describe(p)));
      list.appendChild(li);
    }
    box.appendChild(list);
    box.style.left = `${Math.min(Math.max(c.x + 14, 8), size().w - 330)}px`;
    box.style.top = `${Math.min(Math.max(c.y - 20, 8), MAP_HEIGHT - 120)}px`;
    box.hidden = false;
  }

  function zoomAt(sx, sy, dz) {
    const {w, h} = size();
    const k = scale();
    const wx = state.view.cx + (sx - w / 2) / k, wy = state.view.cy + (sy - h / 2) / k;
    state.view.z = Math.max(0.5, Math.min(16, state.view.z + dz));
    const k2 = scale();
    state.view.cx = wx - (sx - w / 2) / k2;
    state.view.cy = wy - (sy - h / 2) / k2;
    drawMap();
  }

  function viewBbox() {
    const {w, h} = size();
    const k = scale();
    const [west, north] = unproject(state.view.cx - w / 2 / k, state.view.cy - h / 2 / k);
    const [east, south] = unproject(state.view.cx + w / 2 / k, state.view.cy + h / 2 / k);
    const clamp = (v, lo, hi) => Math.max(lo, Math.min(hi, v));
    return [clamp(west, -180, 180), clamp(south, -90, 90), clamp(east, -180, 180), clamp(north, -90, 90)]
      .map((v) => v.toFixed(3)).join(",");
  }

  function installMapControls() {
    const root = $("map-svg");
    let drag = null;
    root.addEventListener("pointerdown", (ev) => {
      if (ev.target.closest && ev.target.closest(".marker")) return;
      drag = {x: ev.clientX, y: ev.clientY, cx: state.view.cx, cy: state.view.cy};
      root.setPointerCapture(ev.pointerId);
    });
    root.addEventListener("pointermove", (ev) => {
      if (!drag) return;
      const k = scale();
      state.view.cx = drag.cx - (ev.clientX - drag.x) / k;
      state.view.cy = drag.cy - (ev.clientY - drag.y) / k;
      drawMap();
    });
    root.addEventListener("pointerup", () => { drag = null; });
    root.addEventListener("wheel", (ev) => {
      ev.preventDefault();
      const rect = root.getBoundingClientRect();
      zoomAt(ev.clientX - rect.left, ev.clientY - rect.top, ev.deltaY < 0 ? 0.5 : -0.5);
    }, {passive: false});
    const {w, h} = size();
    $("zoom-in").addEventListener("click", () => zoomAt(size().w / 2, h / 2, 1));
    $("zoom-out").addEventListener("click", () => zoomAt(size().w / 2, h / 2, -1));
    $("zoom-fit").addEventListener("click", () => { fitView(); drawMap(); });
    $("use-view").addEventListener("click", () => applyFilters({...filtersFromForm(), bbox: viewBbox()}, true));
    window.addEventListener("resize", () => { drawMap(); drawTimeline(); });
    void w;
  }

  function drawLegend() {
    const box = $("legend");
    for (const [type, colour] of Object.entries(TYPE_COLOURS)) {
      const item = html("span", {class: "legend-item"});
      const dot = html("span", {class: "swatch"});
      dot.style.background = colour;
      item.append(dot, document.createTextNode(type));
      box.appendChild(item);
    }
    box.appendChild(html("span", {class: "legend-item muted"}, "size: fatalities · number: events clustered"));
  }

  // --- timeline ------------------------------------------------------------------------------------------
  const DAY = 86400000;
  const parseDay = (s) => Date.parse(s + "T00:00:00Z");
  const formatDay = (t) => new Date(t).toISOString().slice(0, 10);

  function drawTimeline() {
    const root = $("timeline");
    const w = Math.max(root.parentElement.clientWidth, 300), h = 96, pad = {l: 30, r: 10, t: 8, b: 22};
    root.setAttribute("viewBox", `0 0 ${w} ${h}`);
    root.setAttribute("width", w);
    root.setAttribute("height", h);
    root.replaceChildren();
    const days = state.days;
    if (!days.length) { root.appendChild(svg("text", {x: w / 2, y: h / 2, "text-anchor": "middle", class: "axis"}, "no dated events")); return; }
    const [lo, hi, before, after] = robustSpan(days);
    let t0 = lo, t1 = hi;
    if (t1 - t0 < 6 * DAY) { const mid = (t0 + t1) / 2; t0 = mid - 3 * DAY; t1 = mid + 3 * DAY; }
    t0 -= DAY; t1 += DAY;
    const span = (t1 - t0) / DAY;
    const binDays = Math.max(1, Math.ceil(span / 180));
    const bins = new Map();
    for (const d of days) {
      if (parseDay(d.date) < t0 || parseDay(d.date) > t1) continue;
      const b = Math.floor((parseDay(d.date) - t0) / DAY / binDays);
      bins.set(b, (bins.get(b) || 0) + d.events);
    }
    const max = Math.max(1, ...bins.values());
    const x = (t) => pad.l + (t - t0) / (t1 - t0) * (w - pad.l - pad.r);
    const tOf = (px) => t0 + (px - pad.l) / (w - pad.l - pad.r) * (t1 - t0);
    const base = h - pad.b;
    const selSince = state.filters.since ? parseDay(state.filters.since) : null;
    const selUntil = state.filters.until ? parseDay(state.filters.until) : null;
    if (selSince !== null || selUntil !== null) {
      const a = x(selSince ?? t0), b = x((selUntil ?? t1) + DAY);
      root.appendChild(svg("rect", {x: a, y: pad.t - 4, width: Math.max(2, b - a), height: base - pad.t + 4, class: "selected"}));
    }
    for (const [b, n] of bins) {
      const start = t0 + b * binDays * DAY;
      const inRange = (selSince === null || start + binDays * DAY > selSince) && (selUntil === null || start <= selUntil);
      const bx = x(start), bw = Math.max(1, x(start + binDays * DAY) - bx - 1);
      const bh = Math.max(2, (base - pad.t) * n / max);
      const bar = svg("rect", {x: bx, y: base - bh, width: bw, height: bh, class: inRange ? "bar" : "bar out"});
      bar.appendChild(svg("title", {}, `${formatDay(start)}${binDays > 1 ? " +" + (binDays - 1) + "d" : ""}: ${n} events`));
      root.appendChild(bar);
    }
    root.appendChild(svg("line", {x1: pad.l, x2: w - pad.r, y1: base, y2: base, class: "axis-line"}));
    const ticks = Math.min(8, Math.floor((w - pad.l) / 110));
    for (let i = 0; i <= ticks; i++) {
      const t = t0 + (t1 - t0) * i / ticks;
      root.appendChild(svg("text", {x: x(t), y: h - 6, "text-anchor": i === 0 ? "start" : i === ticks ? "end" : "middle", class: "axis"}, formatDay(t)));
    }
    root.appendChild(svg("text", {x: pad.l - 4, y: pad.t + 8, "text-anchor": "end", class: "axis"}, max));
    // Events far from the rest (a stray "last updated" date) are counted at the edge, not plotted.
    if (before) root.appendChild(svg("text", {x: pad.l + 2, y: pad.t + 8, class: "axis outside"}, `← ${before} earlier`));
    if (after) root.appendChild(svg("text", {x: w - pad.r - 2, y: pad.t + 8, "text-anchor": "end", class: "axis outside"}, `${after} later →`));
    const label = $("range-label");
    label.textContent = (state.filters.since || state.filters.until)
      ? `selected: ${state.filters.since || "…"} → ${state.filters.until || "…"}` : "";
    const brush = svg("rect", {x: 0, y: pad.t - 4, width: 0, height: base - pad.t + 4, class: "brush"});
    root.appendChild(brush);
    state.brush = {x, tOf, brush, pad, w};
  }

  function robustSpan(days) {
    // The days' span without stray outliers: when the 1st–99th percentile of events covers under a
    // third of the whole span, the axis shows that part (padded) and counts what falls outside.
    const first = parseDay(days[0].date), last = parseDay(days[days.length - 1].date);
    const total = days.reduce((n, d) => n + d.events, 0);
    let seen = 0, lo = first, hi = last, loSet = false;
    for (const d of days) {
      seen += d.events;
      if (!loSet && seen >= total * 0.01) { lo = parseDay(d.date); loSet = true; }
      if (seen >= total * 0.99) { hi = parseDay(d.date); break; }
    }
    if (last - first <= 3 * Math.max(hi - lo, 7 * DAY)) return [first, last, 0, 0];
    const pad = Math.max((hi - lo) * 0.1, 3 * DAY);
    lo -= pad; hi += pad;
    let before = 0, after = 0;
    for (const d of days) {
      const t = parseDay(d.date);
      if (t < lo) before += d.events; else if (t > hi) after += d.events;
    }
    return [lo, hi, before, after];
  }

  function installTimelineBrush() {
    const root = $("timeline");
    let start = null;
    const localX = (ev) => ev.clientX - root.getBoundingClientRect().left;
    root.addEventListener("pointerdown", (ev) => {
      if (!state.brush) return;
      start = localX(ev);
      root.setPointerCapture(ev.pointerId);
      state.brush.brush.setAttribute("x", start);
      state.brush.brush.setAttribute("width", 0);
    });
    root.addEventListener("pointermove", (ev) => {
      if (start === null) return;
      const now = localX(ev);
      state.brush.brush.setAttribute("x", Math.min(start, now));
      state.brush.brush.setAttribute("width", Math.abs(now - start));
    });
    root.addEventListener("pointerup", (ev) => {
      if (start === null) return;
      const end = localX(ev);
      const a = Math.min(start, end), b = Math.max(start, end);
      start = null;
      if (b - a < 3) return;
      const since = formatDay(state.brush.tOf(a)), until = formatDay(state.brush.tOf(b));
      applyFilters({...filtersFromForm(), since, until}, true);
    });
    root.addEventListener("dblclick", () => {
      const f = filtersFromForm();
      delete f.since; delete f.until;
      applyFilters(f, true);
    });
  }

  // --- the list ------------------------------------------------------------------------------------------
  function fillList() {
    const body = $("events").querySelector("tbody");
    body.replaceChildren();
    const rows = state.all.slice(0, LIST_ROWS);
    if (!rows.length) {
      const tr = html("tr");
      tr.appendChild(html("td", {colspan: 5, class: "muted"}, "No event matches these filters."));
      body.appendChild(tr);
      return;
    }
    for (const f of rows) {
      const p = f.properties;
      const tr = html("tr");
      tr.appendChild(html("td", {class: "nowrap"}, p.event_date || "—"));
      const what = html("td");
      const dot = html("span", {class: "swatch"});
      dot.style.background = colourOf(p.event_type);
      what.append(dot, document.createTextNode(p.sub_event_type || p.event_type || "—"));
      const where = [...new Set([p.location, p.admin1, p.country].filter(Boolean))].join(", ");
      what.appendChild(html("div", {class: "small muted"}, where || "—"));
      tr.appendChild(what);
      tr.appendChild(html("td", {class: "num"}, p.fatalities));
      tr.appendChild(html("td", {}, (p.claimant && (p.claimant.side || p.claimant.name)) || "—"));
      const links = html("td", {class: "nowrap small"});
      if (p.incident_id !== null && p.incident_id !== undefined) {
        links.appendChild(html("a", {href: "/incidents/" + encodeURIComponent(p.incident_id)}, "incident"));
        links.appendChild(html("br"));
      }
      links.appendChild(html("a", {href: "/documents/" + encodeURIComponent(p.document_id)}, "report"));
      tr.appendChild(links);
      body.appendChild(tr);
    }
  }

  // --- start ------------------------------------------------------------------------------------------------
  function start() {
    state.tileUrl = $("map").dataset.tileUrl || "";
    state.filters = filtersFromUrl();
    fillForm(state.filters);
    drawLegend();
    installMapControls();
    installTimelineBrush();
    $("filters").addEventListener("submit", (ev) => { ev.preventDefault(); applyFilters(filtersFromForm(), true); });
    $("reset").addEventListener("click", () => applyFilters({}, true));
    $("f-event_type").addEventListener("change", () => { $("f-sub_event_type").value = ""; });
    window.addEventListener("popstate", () => { state.filters = filtersFromUrl(); fillForm(state.filters); load(); });
    loadFacets();
    loadOutlines();
    load();
  }
  document.addEventListener("DOMContentLoaded", start);
})();
