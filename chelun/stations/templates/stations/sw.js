{% load static %}/* 暖心之家 service worker (scope /stations/): the driver pages keep working on roads with no signal (雅康, G318).
   Pages: network first, the last copy when offline. Static files and the base map: cache first. The operator and
   province consoles, HTMX fragments and every non-GET request are never cached. */
const VERSION = "stations-{{ version }}";
const PRECACHE = [
  "{% static 'css/app.css' %}",
  "{% static 'vendor/htmx.org/htmx.min.js' %}",
  "{% static 'vendor/leaflet/leaflet.js' %}",
  "{% static 'vendor/leaflet/leaflet.css' %}",
  "{% static 'js/stations-map.js' %}",
  "{% url 'stations:basemap' %}",
];
const PRIVATE = ["{% url 'stations:operate_list' %}", "{% url 'stations:console' %}"];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(VERSION).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("stations-") && k !== VERSION).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET" || request.headers.get("HX-Request")) return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (PRIVATE.some((prefix) => url.pathname.startsWith(prefix))) return;
  if (PRECACHE.includes(url.pathname) || url.pathname.startsWith("{% get_static_prefix %}")) {
    event.respondWith(
      caches.match(request).then(
        (hit) =>
          hit ||
          fetch(request).then((response) => {
            if (response.ok) {
              const copy = response.clone();
              caches.open(VERSION).then((cache) => cache.put(request, copy));
            }
            return response;
          })
      )
    );
    return;
  }
  if (request.mode === "navigate" && url.pathname.startsWith("{% url 'stations:home' %}")) {
    event.respondWith(
      fetch(request)
        .then((response) => {
          if (response.ok) {
            const copy = response.clone();
            caches.open(VERSION).then((cache) => cache.put(request, copy));
          }
          return response;
        })
        .catch(() =>
          caches.match(request).then((hit) => hit || caches.match("{% url 'stations:home' %}")).then(
            (hit) => hit || new Response("当前离线，且此页面没有保存过。", { status: 503, headers: { "Content-Type": "text/plain; charset=utf-8" } })
          )
        )
    );
  }
});
