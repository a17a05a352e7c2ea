// Sealane's common operating picture: MapLibre for the base map (Natural
// Earth land shipped with the app, no internet needed), deck.gl for vessels,
// tracks, events and satellite detections. Every item shows its marking; the
// server filters everything by what the reader may see before it gets here.
import maplibregl from "maplibre-gl";
import "maplibre-gl/dist/maplibre-gl.css";
import { MapboxOverlay } from "@deck.gl/mapbox";
import { IconLayer, PathLayer, ScatterplotLayer, PolygonLayer } from "@deck.gl/layers";
import type { PickingInfo } from "@deck.gl/core";
import { feature } from "topojson-client";
import type { Topology } from "topojson-specification";
import "./style.css";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

// ---- authentication: a token from the link (#token=...) is kept for this tab only.
const fromHash = new URLSearchParams(location.hash.slice(1)).get("token");
if (fromHash) {
  sessionStorage.setItem("sealane-token", fromHash);
  history.replaceState(null, "", location.pathname + location.search);
}
const token = sessionStorage.getItem("sealane-token");

async function api(path: string, init: RequestInit = {}): Promise<Json> {
  const headers = new Headers(init.headers);
  if (token) headers.set("Authorization", `Bearer ${token}`);
  if (init.body) headers.set("Content-Type", "application/json");
  const r = await fetch(path, { ...init, headers });
  if (!r.ok) throw new Error(`${path}: ${r.status} ${(await r.text()).slice(0, 200)}`);
  return r.status === 204 ? null : r.json();
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = (s: string) => ($("status").textContent = s);

function markingEl(m: string | null | undefined): string {
  if (!m) return "";
  const restricted = /REL TO|ORCON|RESTRICTED|CONFIDENTIAL|SECRET/.test(m);
  return `<span class="marking${restricted ? " restricted" : ""}" title="releasability">${escapeHtml(m)}</span>`;
}
function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

// ---- vessel state: columns, updated in place by the live stream.
interface Vessel { mmsi: number; lon: number; lat: number; cog: number | null; hdg: number | null; sog: number | null; type: number | null; name: string | null; marking: string; t: number; }
const vessels = new Map<number, Vessel>();
let markings: string[] = [];

function loadColumns(c: Json) {
  vessels.clear();
  markings = c.markings;
  const k = c.columns;
  const n = c.count;
  for (let i = 0; i < n; i++) {
    vessels.set(k.mmsi[i], {
      mmsi: k.mmsi[i], lon: k.lon[i], lat: k.lat[i], cog: k.cog[i], hdg: k.hdg[i], sog: k.sog[i],
      type: k.type[i], name: k.name[i], marking: markings[k.marking[i]] ?? "", t: k.t[i],
    });
  }
}

// Colour by ship type (ITU-R M.1371 type codes), dimmed when stopped.
function colour(v: Vessel): [number, number, number, number] {
  const t = v.type ?? 0;
  const base: [number, number, number] =
    t >= 80 && t < 90 ? [255, 99, 71] : t >= 70 && t < 80 ? [80, 200, 120] : t >= 60 && t < 70 ? [80, 160, 255]
    : t === 30 ? [255, 200, 60] : t >= 50 && t < 60 ? [200, 120, 255] : [190, 190, 190];
  return [...base, (v.sog ?? 0) < 0.5 ? 150 : 255];
}

const ARROW = "data:image/svg+xml;utf8," + encodeURIComponent(
  '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32"><path d="M16 2 L27 30 L16 23 L5 30 Z" fill="white"/></svg>');


// ---- map
const map = new maplibregl.Map({
  container: "map",
  style: { version: 8, sources: {}, layers: [{ id: "sea", type: "background", paint: { "background-color": "#0d2b45" } }] },
  center: [127, 35],
  zoom: 4.5,
  attributionControl: false,
});
map.addControl(new maplibregl.NavigationControl(), "top-left");
const overlay = new MapboxOverlay({ interleaved: false, layers: [] });
map.addControl(overlay as unknown as maplibregl.IControl);

let events: Json[] = [];
// Live events kept in the list; older ones, and those a burst's frames left out
// (`omitted`), stay in the store's /api/events.
const MAX_LIVE_EVENTS = 5000;
let eventsNotListed = 0;
let detections: Json[] = [];
let scenes: Json[] = [];
let selectedTrack: [number, number][] | null = null;
let selectedMmsi: number | null = null;
const show = { sar: true };
let firstRender = 0;
let vesselLayer: IconLayer<Vessel> | null = null;
const ARROW_ICON = { url: ARROW, width: 32, height: 32, anchorY: 16, mask: true, id: "arrow" };

// First complete render: the frame after which every vessel is drawn (icons loaded).
function afterRender() {
  if (!firstRender && vessels.size > 0 && vesselLayer?.isLoaded && (vesselLayer.props.data as Vessel[]).length === vessels.size) {
    firstRender = performance.now();
    performance.mark("sealane-first-render");
  }
}

function render() {
  const data = Array.from(vessels.values());
  const layers = [
    show.sar && new PolygonLayer({ id: "scenes", data: scenes, getPolygon: (f: Json) => f.geometry.coordinates, stroked: true, filled: true,
      getFillColor: [255, 255, 255, 12], getLineColor: [255, 255, 255, 120], lineWidthMinPixels: 1 }),
    selectedTrack && new PathLayer({ id: "track", data: [{ path: selectedTrack }], getPath: (d: Json) => d.path, getColor: [255, 210, 74], widthMinPixels: 2 }),
    show.sar && new ScatterplotLayer({ id: "detections", data: detections, pickable: true, radiusUnits: "pixels", getRadius: 5, stroked: true,
      getPosition: (f: Json) => f.geometry.coordinates, filled: false, lineWidthMinPixels: 2,
      getLineColor: (f: Json) => (f.properties.result === "dark" ? [255, 0, 200] : f.properties.type === "not_seen" ? [150, 150, 150] : [0, 230, 120]) }),
    new ScatterplotLayer({ id: "events", data: events.filter((e) => e.geometry), pickable: true, radiusUnits: "pixels", getRadius: 8,
      stroked: true, filled: false, lineWidthMinPixels: 2, getPosition: (e: Json) => e.geometry.coordinates,
      getLineColor: (e: Json) => (["encounter", "dark_vessel", "watchlist_hit", "spoofing"].includes(e.properties.type) ? [255, 40, 40] : [255, 170, 0]) }),
    // Vessels on top: a click on a vessel picks the vessel, not a marker beneath it.
    (vesselLayer = new IconLayer<Vessel>({
      id: "vessels", data, pickable: true, sizeUnits: "pixels", getSize: 14,
      getIcon: () => ARROW_ICON,
      getPosition: (v) => [v.lon, v.lat], getAngle: (v) => -(v.hdg ?? v.cog ?? 0), getColor: colour,
      updateTriggers: { getPosition: vessels.size + ":" + renderCount, getAngle: renderCount },
    })),
  ].filter(Boolean);
  overlay.setProps({ layers });
  renderCount++;
  const notListed = eventsNotListed ? ` (${eventsNotListed.toLocaleString()} more in /api/events)` : "";
  status(`${vessels.size.toLocaleString()} vessels · ${events.length} events${notListed}${live ? " · live" : ""}`);
}
let renderCount = 0;
let renderQueued = false;
function scheduleRender() {
  if (renderQueued) return;
  renderQueued = true;
  setTimeout(() => { renderQueued = false; render(); }, 250);
}

overlay.setProps({
  onAfterRender: afterRender,
  onClick: (info: PickingInfo) => {
    if (!info.object) return;
    if (info.layer?.id === "vessels") openDossier((info.object as Vessel).mmsi);
    else if (info.layer?.id === "events") openEvent((info.object as Json).properties);
    else if (info.layer?.id === "detections") showDetection((info.object as Json).properties);
  },
  getTooltip: (info: PickingInfo) => {
    const o = info.object as Json;
    if (!o) return null;
    if (info.layer?.id === "vessels") return { text: `${o.name ?? "?"} (${o.mmsi})\n${o.marking}` };
    const p = o.properties ?? {};
    return { text: `${p.type ?? ""} ${p.result ?? ""}\n${p.marking ?? ""}` };
  },
} as Json);

// ---- panels
function selectTab(name: string) {
  for (const b of document.querySelectorAll<HTMLButtonElement>("nav button")) {
    const on = b.dataset.panel === name;
    b.setAttribute("aria-selected", String(on));
    $(`panel-${b.dataset.panel}`).hidden = !on;
  }
}
for (const b of document.querySelectorAll<HTMLButtonElement>("nav button")) b.onclick = () => selectTab(b.dataset.panel!);

function describeEvent(p: Json): string {
  const when = (p.start ?? "").slice(0, 16).replace("T", " ");
  const d = p.details ?? {};
  const what = d.zone ?? d.kind ?? d.profile ?? d.list ?? "";
  return `<span class="type">${escapeHtml(p.type)}</span> ${escapeHtml(String(what))}<br>${when} · ${(p.mmsi ?? []).join(", ")} · conf ${p.confidence}<br>${markingEl(p.marking)}`;
}

let activeEvent = -1;
function renderEvents() {
  const type = $<HTMLSelectElement>("event-type").value;
  const list = $("events");
  const shown = events.filter((e) => !type || e.properties.type === type);
  list.innerHTML = shown.map((e, i) => `<li tabindex="-1" data-i="${i}" data-type="${escapeHtml(e.properties.type)}">${describeEvent(e.properties)}</li>`).join("");
  for (const li of list.querySelectorAll<HTMLLIElement>("li")) li.onclick = () => openEvent(shown[Number(li.dataset.i)].properties);
  $("event-count").textContent = `(${events.length})`;
  const select = $<HTMLSelectElement>("event-type");
  const types = Array.from(new Set(events.map((e) => e.properties.type))).sort();
  if (select.options.length !== types.length + 1) {
    select.innerHTML = `<option value="">all types</option>` + types.map((t) => `<option>${t}</option>`).join("");
    select.value = type;
  }
}
$("event-type").onchange = renderEvents;
$("events").addEventListener("keydown", (ev) => {
  const items = $("events").querySelectorAll<HTMLLIElement>("li");
  if (!items.length) return;
  if (ev.key === "j" || ev.key === "ArrowDown") activeEvent = Math.min(items.length - 1, activeEvent + 1);
  else if (ev.key === "k" || ev.key === "ArrowUp") activeEvent = Math.max(0, activeEvent - 1);
  else if (ev.key === "Enter" && activeEvent >= 0) { items[activeEvent].click(); return; }
  else return;
  ev.preventDefault();
  items.forEach((li, i) => li.classList.toggle("active", i === activeEvent));
  items[activeEvent].focus();
});

async function openEvent(p: Json) {
  if (p.lon != null) map.flyTo({ center: [p.lon, p.lat], zoom: Math.max(map.getZoom(), 8) });
  if (p.mmsi?.length) await openDossier(p.mmsi[0], p);
}

function showDetection(p: Json) {
  selectTab("dossier");
  $("panel-dossier").innerHTML = `<h3>SAR detection ${escapeHtml(p.detection_id ?? "")}</h3>${markingEl(p.marking)}
    <table>${["sensor", "scene_id", "time", "result", "mmsi", "score", "confidence", "length_m", "distance_m"]
      .filter((k) => p[k] != null).map((k) => `<tr><td>${k}</td><td>${escapeHtml(String(p[k]))}</td></tr>`).join("")}</table>`;
}

async function openDossier(mmsi: number, fromEvent?: Json) {
  selectTab("dossier");
  selectedMmsi = mmsi;
  const panel = $("panel-dossier");
  panel.innerHTML = `<p class="hint">Loading ${mmsi}…</p>`;
  try {
    const d = await api(`/api/vessels/${mmsi}`);
    selectedTrack = d.track.geometry.coordinates;
    const latest = d.latest?.properties ?? {};
    const ids = d.identity_history.map((i: Json) =>
      `<tr><td>${escapeHtml(i.name ?? "?")}<br>${escapeHtml(i.callsign ?? "")} IMO ${i.imo ?? "?"}</td><td>${(i.from ?? "").slice(0, 16)} → ${(i.to ?? "").slice(0, 16)}<br>${markingEl(i.marking)}</td></tr>`).join("");
    panel.innerHTML = `<h3 id="dossier-title">${escapeHtml(latest.name ?? "Unknown")} · MMSI ${mmsi}</h3>
      ${markingEl(latest.marking)}
      <p>Flag ${escapeHtml(d.flag ?? "?")} · type ${latest.shiptype ?? "?"} · ${latest.length_m ?? "?"} m · ${latest.sog ?? "?"} kn · last seen ${(latest.time ?? "").slice(0, 16)}</p>
      <p>${d.watchlist.listed ? `<strong>On a watchlist</strong> (${d.watchlist.hits.length} hits)` : "Not on a loaded watchlist"}</p>
      <h4>Identity history</h4><table>${ids}</table>
      <h4>Track</h4><p>${d.track.properties.positions} positions ${d.track.properties.markings.map(markingEl).join(" ")}</p>
      <h4>Events (${d.events.length})</h4><ol>${d.events.map((e: Json) => `<li>${describeEvent(e)}</li>`).join("")}</ol>
      ${fromEvent ? `<h4>Selected event</h4><pre>${escapeHtml(JSON.stringify(fromEvent.details, null, 1))}</pre>` : ""}`;
  } catch (e) {
    panel.innerHTML = `<p>${escapeHtml(String(e))}</p>`;
  }
  scheduleRender();
}

// ---- search
$("search").addEventListener("keydown", async (ev) => {
  if (ev.key !== "Enter") return;
  const q = ($("search") as HTMLInputElement).value.trim();
  if (!q) return;
  const r = await api(`/api/vessels?q=${encodeURIComponent(q)}&limit=20`);
  if (r.features.length === 0) { status(`no vessel matches ${q}`); return; }
  const p = r.features[0];
  map.flyTo({ center: p.geometry.coordinates, zoom: 9 });
  openDossier(p.properties.mmsi);
});
document.addEventListener("keydown", (ev) => {
  const typing = (ev.target as HTMLElement).tagName === "INPUT";
  if (ev.key === "/" && !typing) { ev.preventDefault(); $("search").focus(); }
  if (ev.key === "Escape") { selectedTrack = null; selectedMmsi = null; selectTab("events"); scheduleRender(); }
  if (ev.key === "e" && !typing) { selectTab("events"); $("events").focus(); }
});

// ---- alerts
async function loadAlerts() {
  const r = await api("/api/alerts");
  const ul = $("alerts");
  ul.innerHTML = "";
  for (const rule of r.rules) {
    const d = await api(`/api/alerts/${rule.id}/deliveries`);
    const li = document.createElement("li");
    li.innerHTML = `<strong>${escapeHtml(rule.name)}</strong> ${markingEl(rule.marking)}<br>${d.features.length} events delivered`;
    ul.appendChild(li);
  }
}
$("alert-form").addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const b = map.getBounds();
  const types = ($("alert-types") as HTMLInputElement).value.split(",").map((s) => s.trim()).filter(Boolean);
  await api("/api/alerts", { method: "POST", body: JSON.stringify({
    name: ($("alert-name") as HTMLInputElement).value, types,
    bbox: [Math.max(-180, b.getWest()), Math.max(-90, b.getSouth()), Math.min(180, b.getEast()), Math.min(90, b.getNorth())] }) });
  loadAlerts();
});
$("tab-alerts").addEventListener("click", () => loadAlerts().catch((e) => status(String(e))));

// ---- time: live, or replay at a moment of the store's range
let live = true;
let range: [number, number] | null = null;
async function loadVessels(at?: number) {
  const q = at ? `&at=${new Date(at).toISOString()}` : "";
  loadColumns(await api(`/api/vessels?format=columns${q}`));
  render();
}
$("slider").addEventListener("change", async () => {
  if (!range) return;
  const v = Number(($("slider") as HTMLInputElement).value) / 1000;
  const at = range[0] + v * (range[1] - range[0]);
  live = v >= 1;
  $("live").setAttribute("aria-pressed", String(live));
  $("at").textContent = live ? "live" : new Date(at).toISOString().slice(0, 16).replace("T", " ");
  await loadVessels(live ? undefined : at);
});
$("live").onclick = async () => {
  live = true;
  ($("slider") as HTMLInputElement).value = "1000";
  $("live").setAttribute("aria-pressed", "true");
  $("at").textContent = "live";
  await loadVessels();
};

// ---- live stream
function connect() {
  const proto = location.protocol === "https:" ? "wss" : "ws";
  const q = token ? `?access_token=${encodeURIComponent(token)}` : "";
  const ws = new WebSocket(`${proto}://${location.host}/api/live${q}`);
  ws.onmessage = (m) => onLive(JSON.parse(m.data));
  ws.onclose = () => setTimeout(connect, 2000);
}

// One frame of /api/live.
function onLive(msg: Json) {
  if (msg.type === "positions" && live) {
    for (const p of msg.items) {
      const v = vessels.get(p.mmsi);
      if (v) Object.assign(v, { lon: p.lon, lat: p.lat, sog: p.sog, cog: p.cog, hdg: p.hdg, t: p.t });
      else vessels.set(p.mmsi, { mmsi: p.mmsi, lon: p.lon, lat: p.lat, sog: p.sog, cog: p.cog, hdg: p.hdg, t: p.t, type: null, name: null, marking: sourceMarkings.get(p.src) ?? "" });
    }
    scheduleRender();
  } else if (msg.type === "events") {
    for (const e of msg.items) events.unshift({ type: "Feature", id: e.id, geometry: e.lon != null ? { type: "Point", coordinates: [e.lon, e.lat] } : null, properties: e });
    eventsNotListed += msg.omitted ?? 0;
    if (events.length > MAX_LIVE_EVENTS) {
      eventsNotListed += events.length - MAX_LIVE_EVENTS;
      events.length = MAX_LIVE_EVENTS;
    }
    renderEvents();
    scheduleRender();
  }
}
const sourceMarkings = new Map<number, string>();

// ---- start
async function addGeoJsonLayers() {
  const topo = (await (await fetch("basemap/land-50m.json")).json()) as Topology;
  const land = feature(topo, topo.objects.land);
  map.addSource("land", { type: "geojson", data: land as Json });
  map.addLayer({ id: "land", type: "fill", source: "land", paint: { "fill-color": "#26374a" } });
  map.addSource("lanes", { type: "geojson", data: await api("/api/lanes") });
  map.addLayer({ id: "lanes", type: "line", source: "lanes", paint: { "line-color": "#3f6f99", "line-width": 0.7, "line-dasharray": [2, 2] } });
  map.addSource("zones", { type: "geojson", data: await api("/api/zones") });
  map.addLayer({ id: "zones", type: "line", source: "zones", paint: { "line-color": "#ff6b6b", "line-width": 1.2 } });
  map.addLayer({ id: "zone-names", type: "symbol", source: "zones", layout: { "text-field": ["get", "name"], "text-size": 11 }, paint: { "text-color": "#ffb3b3" } });
  for (const [box, layer] of [["show-lanes", "lanes"], ["show-zones", "zones"]]) {
    $(box).onchange = () => map.setLayoutProperty(layer, "visibility", ($(box) as HTMLInputElement).checked ? "visible" : "none");
  }
  $("show-sar").onchange = () => { show.sar = ($("show-sar") as HTMLInputElement).checked; render(); };
}

async function start() {
  const summary = await api("/api/summary");
  $("reader").textContent = summary.subject ? `${summary.subject.id} (${summary.subject.nation}, ${summary.subject.clearance})` : "local owner";
  if (summary.time_range) range = [Date.parse(summary.time_range[0]), Date.parse(summary.time_range[1])];
  for (const s of (await api("/api/sources")).sources) sourceMarkings.set(s.id, s.marking);
  await loadVessels();
  const [ev, det, sc] = await Promise.all([api("/api/events?limit=2000"), api("/api/detections"), api("/api/scenes")]);
  events = ev.features;
  detections = det.features;
  scenes = sc.features;
  renderEvents();
  render();
  connect();
  (window as Json).sealane.ready = true;
}

// Hooks for the end-to-end tests and for measuring.
(window as Json).sealane = {
  ready: false,
  vessels: () => vessels.size,
  events: () => events.map((e) => e.properties.type),
  eventsOnMap: () => events.filter((e) => e.geometry).map((e) => e.properties.type),
  project: (mmsi: number) => { const v = vessels.get(mmsi); return v ? map.project([v.lon, v.lat]) : null; },
  someVessel: () => { const c = map.getCenter(); let best: Vessel | null = null; let d = Infinity;
    for (const v of vessels.values()) { const dd = (v.lon - c.lng) ** 2 + (v.lat - c.lat) ** 2; if (dd < d) { d = dd; best = v; } } return best?.mmsi ?? null; },
  selected: () => selectedMmsi,
  liveFrame: (msg: Json) => onLive(msg),
  firstRender: () => firstRender,
  fitVessels: () => { const b = new maplibregl.LngLatBounds(); for (const v of vessels.values()) b.extend([v.lon, v.lat]); if (!b.isEmpty()) map.fitBounds(b, { padding: 40, duration: 0 }); },
};

map.on("load", () => {
  addGeoJsonLayers().catch((e) => status(String(e)));
  start().catch((e) => status(String(e)));
});
