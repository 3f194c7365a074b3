// footprints workshop editor. Every number shown comes from the server, which scores with the same
// Rust code as `footprints score`; this page only draws, collects edits and sends them.
"use strict";

const PALETTE = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#ff9da7",
  "#9c755f", "#bab0ac", "#86bcb6", "#d4a6c8", "#8cd17d", "#f1ce63", "#a0cbe8", "#ffbe7d"];

const app = {
  study: null, state: null, map: null, lsoa: [], selected: new Set(), painting: null,
  mode: "paint", pending: 0, outlines: {}, lgr: {},
};

const $ = (id) => document.getElementById(id);

function status(text, error) {
  const s = $("status");
  s.textContent = text;
  s.className = error ? "error" : "";
}

async function api(path, body) {
  app.pending++;
  try {
    const init = body === undefined ? {} : {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
    };
    // Every POST says which version this page shows, so a tab left behind by another tab's
    // version switch is refused instead of editing a version it does not show.
    const url = body !== undefined && app.state ? `${path}?version=${encodeURIComponent(app.state.version)}` : path;
    const r = await fetch(url, init);
    const j = await r.json();
    if (!r.ok) throw new Error(j.error || r.statusText);
    return j;
  } finally {
    app.pending--;
  }
}

/// Send an action; on success draw the new state, on refusal say why (nothing changed).
async function act(path, body, doing) {
  if (doing) status(doing);
  try {
    const st = await api(path, body);
    draw(st);
    status((st.warnings || []).join("; ") || "");
    return st;
  } catch (e) {
    status(e.message, true);
    return null;
  }
}

function colour(name) {
  let h = 0;
  for (const c of name) h = (h * 31 + c.codePointAt(0)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

function fmt(x, d) {
  if (x === null || x === undefined) return "n/a";
  const s = x.toFixed(d);
  return /^-0(\.0*)?$/.test(s) ? s.slice(1) : s;
}

function esc(s) {
  return String(s ?? "").replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;" }[c]));
}

function lsoaStyle(i) {
  const st = app.state;
  const name = st.names[st.of[i]];
  const sel = app.selected.has(i) || (app.painting && app.painting.has(i));
  const moved = st.moved_set.has(i);
  return {
    fillColor: colour(name), fillOpacity: sel ? 0.9 : 0.55,
    color: sel ? "#000" : moved ? "#ff6a00" : "#ffffff", weight: sel ? 2 : moved ? 2 : 0.6, opacity: 1,
  };
}

function info(i) {
  const p = app.study.lsoas.features[i].properties;
  const st = app.state;
  const rows = [["LSOA", `${p.name} (${p.code})`], ["people", p.population.toLocaleString("en-GB")],
    ["IMD decile", p.imd_decile ?? "n/a"], ["PCN", p.pcn ?? "n/a"], ["ward", p.ward ?? "n/a"],
    ["town", p.town ?? "—"], ["district", p.district], ["footprint", st.names[st.of[i]]]];
  return rows.map(([k, v]) => `${k}: <b style="display:inline">${esc(v)}</b>`).join("<br>");
}

function setupMap() {
  const s = app.study;
  app.map = L.map("map", { zoomSnap: 0.25, preferCanvas: false, attributionControl: true });
  app.map.attributionControl.setPrefix("Leaflet").addAttribution("Contains OS data © Crown copyright and database right; ONS, MHCLG, NHS England (OGL)");
  const layer = L.geoJSON(s.lsoas, {
    style: (f) => lsoaStyle(f.properties.i),
    onEachFeature: (f, l) => {
      const i = f.properties.i;
      app.lsoa[i] = l;
      l.on("mousedown", (e) => startPaint(i, e));
      l.on("mouseover", () => { hover(i); extendPaint(i); });
    },
  }).addTo(app.map);
  app.map.fitBounds(layer.getBounds());
  const infoCtl = L.control({ position: "topright" });
  infoCtl.onAdd = () => { app.infoBox = L.DomUtil.create("div", "info"); app.infoBox.textContent = "hover over an LSOA"; return app.infoBox; };
  infoCtl.addTo(app.map);
  const overlays = {};
  overlays["Districts"] = L.geoJSON(s.districts, { style: { color: "#6a3d9a", weight: 2, dashArray: "6 4", fill: false }, interactive: false }).addTo(app.map);
  for (const o of s.lgr) {
    overlays[`LGR ${esc(o.name)}`] = L.geoJSON(o.outlines, { style: { color: "#1b7837", weight: 2.5, dashArray: "2 5", fill: false }, interactive: false });
  }
  const pr = L.layerGroup(s.practices.map((p) => L.circleMarker([p.lat, p.lon], { radius: 3.5, color: "#000", weight: 1, fillColor: "#fff", fillOpacity: 1, interactive: true })
    .bindTooltip(`${esc(p.name)} (${esc(p.code)})<br>${esc(p.pcn)}`)));
  pr.addTo(app.map);
  overlays["GP practices"] = pr;
  app.overlays = overlays;
  app.layerControl = L.control.layers(null, overlays, { collapsed: false }).addTo(app.map);
  const legend = L.control({ position: "bottomleft" });
  legend.onAdd = () => {
    const d = L.DomUtil.create("div", "legend");
    d.innerHTML = '<i style="border-top:4px solid #000"></i>MNP<br><i style="border-top:2.5px solid #333"></i>footprint (SNP)<br>' +
      '<i style="border-top:2.5px dashed #d00"></i>footprint in pieces<br><i style="border-top:2px dashed #6a3d9a"></i>district<br>' +
      '<i style="border-top:2px solid #ff6a00"></i>LSOA moved since start';
    return d;
  };
  legend.addTo(app.map);
  document.addEventListener("mouseup", endPaint);
}

function hover(i) {
  if (app.infoBox) app.infoBox.innerHTML = info(i);
}

function startPaint(i, e) {
  if (app.mode === "pan") return;
  if (e && e.originalEvent) e.originalEvent.preventDefault();
  app.painting = new Set([i]);
  app.lsoa[i].setStyle(lsoaStyle(i));
}

function extendPaint(i) {
  if (!app.painting || app.painting.has(i)) return;
  app.painting.add(i);
  app.lsoa[i].setStyle(lsoaStyle(i));
}

function endPaint() {
  const got = app.painting;
  if (!got) return;
  app.painting = null;
  if (app.mode === "select") {
    for (const i of got) { if (app.selected.has(i)) app.selected.delete(i); else app.selected.add(i); }
    got.forEach((i) => app.lsoa[i].setStyle(lsoaStyle(i)));
    status(`${app.selected.size} LSOA(s) selected`);
    return;
  }
  const to = $("target").value;
  const lsoas = [...got].filter((i) => app.state.names[app.state.of[i]] !== to).map(code);
  got.forEach((i) => app.lsoa[i].setStyle(lsoaStyle(i)));
  if (lsoas.length) act("/api/edit", { op: "move", lsoas, to });
}

const code = (i) => app.study.lsoas.features[i].properties.code;

function drawOutlines(st) {
  for (const k of ["mnp", "snp"]) if (app.outlines[k]) app.map.removeLayer(app.outlines[k]);
  app.outlines.snp = L.geoJSON(st.outlines.snp, {
    interactive: false,
    style: (f) => f.properties.in_pieces ? { color: "#d00", weight: 2.5, dashArray: "5 4", fill: false } : { color: "#333", weight: 2.5, fill: false },
  }).addTo(app.map);
  if (st.outlines.mnp) app.outlines.mnp = L.geoJSON(st.outlines.mnp, { interactive: false, style: { color: "#000", weight: 4.5, fill: false } }).addTo(app.map);
  if (app.overlays["Districts"] && app.map.hasLayer(app.overlays["Districts"])) app.overlays["Districts"].bringToFront();
}

function options(sel, names, keep) {
  const was = keep ?? sel.value;
  // An explicit value: an option's text has its spaces collapsed, which would change the name.
  sel.innerHTML = names.map((n) => `<option value="${esc(n)}">${esc(n)}</option>`).join("");
  if (names.includes(was)) sel.value = was;
}

function drawMetrics(st) {
  $("metrics").tBodies[0].innerHTML = st.metrics.map((m) => {
    let cls = "";
    if (m.changed && m.value !== null && m.start !== null && m.better !== "none") {
      const up = m.value > m.start;
      cls = (up === (m.better === "high")) ? "better" : "worse";
    }
    const title = m.why ? ` title="${esc(m.why)}"` : (m.names && m.names.length ? ` title="${esc(m.names.join(", "))}"` : "");
    return `<tr class="${m.changed ? "changed" : ""}" data-key="${esc(m.key)}"><td${title}>${esc(m.label)}</td>` +
      `<td class="${cls}" data-value="${m.value ?? ""}">${esc(m.text)}</td><td data-value="${m.start ?? ""}">${esc(m.start_text)}</td></tr>`;
  }).join("");
}

function drawRows(st) {
  const target = $("target").value;
  $("rows").tBodies[0].innerHTML = st.rows.map((r) => {
    const cls = [r.changed ? "changed" : "", r.outside ? "outside" : "", r.in_pieces ? "pieces" : "", r.name === target ? "target" : ""].join(" ");
    return `<tr class="${cls}" data-name="${esc(r.name)}"><td><button class="lock" title="${r.locked ? "locked: kept by Rebuild the rest" : "not locked"}">${r.locked ? "🔒" : "·"}</button></td>` +
      `<td><span class="swatch" style="color:${colour(r.name)}">■</span> ${esc(r.name)}</td><td>${esc(r.mnp ?? "")}</td>` +
      `<td data-value="${r.population}">${r.population.toLocaleString("en-GB")}</td><td data-value="${r.deviation_pct}">${fmt(r.deviation_pct, 1)}</td>` +
      `<td>${r.lsoas}</td><td>${r.core20_share === null ? "n/a" : fmt(100 * r.core20_share, 0) + "%"}</td><td>${fmt(r.hub_mean, 1)}</td></tr>`;
  }).join("");
  const out = st.rows.filter((r) => r.outside).length;
  $("summary").textContent = `${st.footprints} footprints · ${st.population.toLocaleString("en-GB")} people · ${out} outside ±${fmt(100 * app.study.tolerance, 0)}%`;
}

/// Draw a state from the server.
function draw(st) {
  st.moved_set = new Set(st.moved);
  app.state = st;
  options($("target"), st.names);
  // Merge defaults to the chosen footprint into another one, never a footprint into itself.
  options($("merge-from"), st.names, $("merge-from").value || $("target").value);
  options($("merge-into"), st.names);
  if ($("merge-into").value === $("merge-from").value) {
    $("merge-into").value = st.names.find((n) => n !== $("merge-from").value) ?? $("merge-from").value;
  }
  options($("version"), st.versions, st.version);
  $("undo").disabled = !st.can_undo;
  $("redo").disabled = !st.can_redo;
  $("lock").textContent = st.locked.includes($("target").value) ? "Unlock" : "Lock";
  for (const i of [...app.selected]) if (i >= app.lsoa.length) app.selected.delete(i);
  app.lsoa.forEach((l, i) => l.setStyle(lsoaStyle(i)));
  drawOutlines(st);
  drawMetrics(st);
  drawRows(st);
  $("notes").innerHTML = st.in_pieces.length ? `<p class="error">In more than one piece: ${esc(st.in_pieces.join(", "))}</p>` : "";
  document.title = `footprints editor — ${st.version}`;
}

function selection() {
  return [...app.selected].sort((a, b) => a - b).map(code);
}

function wire() {
  document.querySelectorAll("input[name=mode]").forEach((r) => r.addEventListener("change", () => {
    app.mode = r.value;
    if (app.mode === "pan") app.map.dragging.enable(); else app.map.dragging.disable();
  }));
  app.map.dragging.disable();
  $("target").addEventListener("change", () => draw(app.state));
  $("undo").addEventListener("click", () => act("/api/undo", {}));
  $("redo").addEventListener("click", () => act("/api/redo", {}));
  $("lock").addEventListener("click", () => {
    const f = $("target").value;
    act("/api/lock", { footprint: f, locked: !app.state.locked.includes(f) });
  });
  $("move-selection").addEventListener("click", async () => {
    if (await act("/api/edit", { op: "move", lsoas: selection(), to: $("target").value })) clearSelection();
  });
  $("new-footprint").addEventListener("click", async () => {
    const name = $("new-name").value.trim();
    if (await act("/api/edit", { op: "new", name, lsoas: selection() })) {
      clearSelection();
      $("new-name").value = "";
      $("target").value = name;
      draw(app.state);
    }
  });
  $("clear-selection").addEventListener("click", clearSelection);
  $("merge").addEventListener("click", async () => {
    const [from, into, target] = [$("merge-from").value, $("merge-into").value, $("target").value];
    // The footprint painted into follows a merge that removes it.
    if (await act("/api/edit", { op: "merge", from, into }) && target === from) { $("target").value = into; draw(app.state); }
  });
  $("rename").addEventListener("click", async () => {
    const [from, to] = [$("target").value, $("rename-to").value.trim()];
    const mergeFrom = $("merge-from").value;
    if (await act("/api/edit", { op: "rename", from, to })) {
      $("rename-to").value = "";
      $("target").value = to;
      if (mergeFrom === from) $("merge-from").value = to;
      draw(app.state);
    }
  });
  $("rebuild").addEventListener("click", () => act("/api/rebuild", {}, "rebuilding the unlocked footprints…"));
  $("version").addEventListener("change", () => act("/api/switch", { name: $("version").value }));
  $("new-version").addEventListener("click", () => {
    const name = window.prompt("Name of the new version (a copy of this one):", `version-${app.state.versions.length + 1}`);
    if (name) act("/api/version", { name });
  });
  $("compare").addEventListener("click", compare);
  $("save").addEventListener("click", save);
  $("open").addEventListener("change", async (e) => {
    const f = e.target.files[0];
    if (f) act("/api/open", { filename: f.name, content: await f.text() }, `opening ${f.name}…`);
    e.target.value = "";
  });
  $("rows").addEventListener("click", (e) => {
    const tr = e.target.closest("tr[data-name]");
    if (!tr) return;
    if (e.target.classList.contains("lock")) {
      act("/api/lock", { footprint: tr.dataset.name, locked: !app.state.locked.includes(tr.dataset.name) });
    } else {
      $("target").value = tr.dataset.name;
      draw(app.state);
    }
  });
  document.addEventListener("keydown", (e) => {
    if (!(e.ctrlKey || e.metaKey) || e.target.tagName === "INPUT") return;
    if (e.key === "z") { e.preventDefault(); act("/api/undo", {}); }
    if (e.key === "y") { e.preventDefault(); act("/api/redo", {}); }
  });
}

function clearSelection() {
  const was = [...app.selected];
  app.selected.clear();
  was.forEach((i) => app.lsoa[i].setStyle(lsoaStyle(i)));
}

async function save() {
  try {
    const r = await api("/api/save", {});
    status(`saved ${r.files.join(", ")} in ${r.saved}`);
    document.body.dataset.saved = r.saved;
  } catch (e) {
    status(`not saved: ${e.message}`, true);
  }
}

async function compare() {
  try {
    const c = await api("/api/compare");
    const head = `<tr><th>metric</th>${c.sets.map((s) => `<th>${esc(s)}</th>`).join("")}</tr>`;
    const body = c.rows.map((r) => `<tr><td>${esc(r.label)}</td>${r.cells.map((x) => `<td class="${x.best ? "best" : ""}">${esc(x.text)}</td>`).join("")}</tr>`).join("");
    $("compare-table").innerHTML = head + body;
    $("compare-view").showModal();
  } catch (e) {
    status(e.message, true);
  }
}

// Scripted test mode (?script=[...]): drives the page's own controls, step by step, waiting for
// each answer; the browser test reads the panel afterwards. Steps: {"select": [id, value]},
// {"input": [id, value]}, {"click": id}, {"mode": m}, {"lsoa": code} (press and release on the
// LSOA's polygon), {"drag": [code, code...]} (press on the first, move over the rest, release),
// {"prompt": answer} (the next question the page asks, e.g. a new version's name, gets `answer`).
async function runScript(steps) {
  const idle = () => new Promise((res) => { const t = () => (app.pending ? setTimeout(t, 10) : res()); setTimeout(t, 0); });
  const index = (c) => {
    const i = app.study.lsoas.features.findIndex((f) => f.properties.code === c);
    if (i < 0) throw new Error(`no LSOA ${c} in the study`);
    return i;
  };
  const path = (c) => app.lsoa[index(c)].getElement();
  const mouse = (el, type) => el.dispatchEvent(new MouseEvent(type, { bubbles: true, cancelable: true, view: window, button: 0 }));
  try {
    for (const s of steps) {
      if (s.target_of) { const i = index(s.target_of); $("target").value = app.state.names[app.state.of[i]]; $("target").dispatchEvent(new Event("change")); }
      if (s.zoom) app.map.setView(app.lsoa[index(s.zoom[0])].getBounds().getCenter(), s.zoom[1], { animate: false });
      if (s.hover) mouse(path(s.hover), "mouseover");
      if (s.prompt !== undefined) window.prompt = () => s.prompt;
      if (s.select) { $(s.select[0]).value = s.select[1]; $(s.select[0]).dispatchEvent(new Event("change")); }
      if (s.input) { $(s.input[0]).value = s.input[1]; }
      if (s.click) $(s.click).click();
      if (s.mode) { const r = document.querySelector(`input[name=mode][value=${s.mode}]`); r.checked = true; r.dispatchEvent(new Event("change")); }
      if (s.lsoa) { mouse(path(s.lsoa), "mousedown"); mouse(document.body, "mouseup"); }
      if (s.drag) { mouse(path(s.drag[0]), "mousedown"); s.drag.slice(1).forEach((c) => mouse(path(c), "mouseover")); mouse(document.body, "mouseup"); }
      await idle();
    }
    document.body.dataset.script = "done";
  } catch (e) {
    document.body.dataset.script = `error: ${e.message}`;
  }
}

async function main() {
  try {
    app.study = await api("/api/study");
    $("title").textContent = `footprints editor — ${app.study.name}`;
    const st = await api("/api/state");
    st.moved_set = new Set(st.moved);
    app.state = st;
    setupMap();
    wire();
    draw(st);
    status(`started from ${app.study.source}; footprints ${app.study.version}`);
  } catch (e) {
    status(`cannot load the study: ${e.message}`, true);
    return;
  }
  const script = new URLSearchParams(location.search).get("script");
  if (script) runScript(JSON.parse(script));
}

main();
