/* 暖心之家 driver pages: the offline map (Leaflet on the shipped Sichuan boundaries), "locate me", the route form,
   voice readout, copy-a-link and the operator's stepper. No network beyond this site: the base layer comes from
   stations:basemap; a tile layer is added only when the server names one (settings.MAP_TILE_URL). */
(function () {
  "use strict";

  var STATE_COLOURS = {
    available: "#2e7d32",
    limited: "#f9a825",
    full: "#c62828",
    closed: "#616161",
    unknown: "#9e9e9e",
  };

  function $(selector, root) {
    return (root || document).querySelector(selector);
  }

  function readJSON(id) {
    var node = document.getElementById(id);
    if (!node) return null;
    try {
      return JSON.parse(node.textContent);
    } catch (e) {
      return null;
    }
  }

  function escapeHtml(text) {
    return String(text).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  }

  function submit(form) {
    if (!form) return;
    if (form.requestSubmit) form.requestSubmit();
    else form.submit();
  }

  /* ---------------------------------------------------------------- map */

  function StationMap(el) {
    var self = this;
    this.el = el;
    this.form = document.getElementById(el.getAttribute("data-form"));
    this.map = L.map(el, { preferCanvas: true, zoomSnap: 0.5 }).setView([30.6, 103.2], 6);
    this.map.attributionControl.setPrefix("Leaflet");
    var footer = $(".footer");
    if (footer) this.map.attributionControl.addAttribution(escapeHtml(footer.textContent.trim()));
    var tiles = el.getAttribute("data-tiles");
    if (tiles) L.tileLayer(tiles, { maxZoom: 18 }).addTo(this.map);
    this.markers = L.layerGroup().addTo(this.map);
    this.here = L.layerGroup().addTo(this.map);
    this.sichuan = null;
    fetch(el.getAttribute("data-basemap"), { credentials: "same-origin" })
      .then(function (r) {
        return r.ok ? r.json() : null;
      })
      .then(function (data) {
        if (!data) return;
        var layer = L.geoJSON(data, {
          interactive: false,
          style: function (feature) {
            if (feature.properties.level === "province") {
              return { color: "#b71c1c", weight: 2, fill: false };
            }
            return { color: "#a7b1bb", weight: 1, fillColor: "#f6f3ec", fillOpacity: tiles ? 0 : 1 };
          },
        }).addTo(self.map);
        layer.bringToBack();
        self.sichuan = layer.getBounds();
        if (!self.markers.getLayers().length && !self.here.getLayers().length) {
          self.map.fitBounds(self.sichuan, { animate: false });
        }
      })
      .catch(function () {});
    this.map.on("click", function (e) {
      if (!self.form) return;
      self.setPosition(e.latlng.lng, e.latlng.lat);
      submit(self.form);
    });
    this.refresh();
  }

  StationMap.prototype.setPosition = function (lon, lat) {
    if (!this.form) return;
    this.form.querySelector('[name="lon"]').value = lon.toFixed(5);
    this.form.querySelector('[name="lat"]').value = lat.toFixed(5);
    var town = this.form.querySelector('[name="town"]');
    if (town) town.value = "";
  };

  StationMap.prototype.refresh = function () {
    var self = this;
    var markers = readJSON("station-markers") || [];
    this.markers.clearLayers();
    this.here.clearLayers();
    var bounds = [];
    markers.forEach(function (m) {
      var colour = STATE_COLOURS[m.state] || STATE_COLOURS.unknown;
      var marker = L.circleMarker([m.lat, m.lon], {
        radius: 10,
        color: "#fff",
        weight: 2,
        fillColor: colour,
        fillOpacity: 0.95,
        bubblingMouseEvents: false,
        dashArray: m.state === "unknown" ? "3 3" : null,
      });
      marker.bindPopup(
        '<b class="pop-name">' + escapeHtml(m.name) + "</b><br>" +
          '<span class="pop-status">' + escapeHtml(m.status) + "</span><br>" +
          '<a class="pop-link" href="' + escapeHtml(m.url) + '">查看详情 ›</a>'
      );
      marker.addTo(self.markers);
      bounds.push([m.lat, m.lon]);
    });
    if (this.form) {
      var lon = parseFloat(this.form.querySelector('[name="lon"]').value);
      var lat = parseFloat(this.form.querySelector('[name="lat"]').value);
      if (!isNaN(lon) && !isNaN(lat)) {
        L.circleMarker([lat, lon], { radius: 7, color: "#fff", weight: 2, fillColor: "#1565c0", fillOpacity: 1 })
          .bindTooltip("这里")
          .addTo(this.here);
        bounds.push([lat, lon]);
      }
    }
    // No animation: a zoom animation still running would swallow the next fitBounds.
    if (bounds.length) this.map.fitBounds(bounds, { padding: [24, 24], maxZoom: 9, animate: false });
    else if (this.sichuan) this.map.fitBounds(this.sichuan, { animate: false });
  };

  /* ---------------------------------------------------------------- locate me */

  function locate(onDone, onFail) {
    if (!navigator.geolocation) {
      onFail("此浏览器不支持定位，请选择城镇");
      return;
    }
    navigator.geolocation.getCurrentPosition(
      function (pos) {
        onDone(pos.coords.longitude, pos.coords.latitude);
      },
      function () {
        onFail("无法获取位置（请允许定位，或选择城镇）");
      },
      { enableHighAccuracy: false, timeout: 10000, maximumAge: 300000 }
    );
  }

  /* ---------------------------------------------------------------- route form */

  function fillTowns(select, towns, keep, withEmpty) {
    var previous = keep ? select.value : "";
    select.innerHTML = "";
    if (withEmpty) select.add(new Option("请选择", ""));
    towns.forEach(function (t) {
      select.add(new Option(t[1], t[0]));
    });
    if (previous) select.value = previous;
  }

  function setupRouteForm(form) {
    var towns = readJSON("corridor-towns") || {};
    var corridor = form.querySelector("[data-corridor]");
    if (corridor) {
      corridor.addEventListener("change", function () {
        var list = towns[corridor.value] || [];
        fillTowns(form.querySelector('[data-town="from"]'), list, false, false);
        fillTowns(form.querySelector('[data-town="to"]'), list, false, true);
      });
    }
    form.querySelectorAll("[data-mode]").forEach(function (button) {
      button.addEventListener("click", function () {
        var mode = button.getAttribute("data-mode");
        form.querySelector("[data-route-mode]").value = mode;
        form.querySelectorAll("[data-mode]").forEach(function (b) {
          b.setAttribute("aria-selected", b === button ? "true" : "false");
        });
        form.querySelectorAll("[data-part]").forEach(function (part) {
          part.hidden = part.getAttribute("data-part") !== mode;
        });
      });
    });
  }

  /* ---------------------------------------------------------------- clicks anywhere (survive HTMX swaps) */

  document.addEventListener("click", function (e) {
    var target = e.target.closest("[data-locate],[data-position],[data-say],[data-copy],[data-print],[data-step]");
    if (!target) return;
    if (target.hasAttribute("data-locate")) {
      var form = target.form || target.closest("form");
      var note = $("[data-locate-note]");
      target.disabled = true;
      locate(
        function (lon, lat) {
          target.disabled = false;
          if (window.stationMap) window.stationMap.setPosition(lon, lat);
          else {
            form.querySelector('[name="lon"]').value = lon.toFixed(5);
            form.querySelector('[name="lat"]').value = lat.toFixed(5);
          }
          submit(form);
        },
        function (message) {
          target.disabled = false;
          if (note) {
            note.textContent = message;
            note.hidden = false;
          }
        }
      );
    } else if (target.hasAttribute("data-position")) {
      var input = target.closest("form").querySelector('[name="position"]');
      locate(
        function (lon, lat) {
          input.value = lon.toFixed(5) + "," + lat.toFixed(5);
        },
        function (message) {
          input.placeholder = message;
        }
      );
    } else if (target.hasAttribute("data-say")) {
      if (!("speechSynthesis" in window)) return;
      var utterance = new SpeechSynthesisUtterance(target.getAttribute("data-say"));
      utterance.lang = "zh-CN";
      window.speechSynthesis.cancel();
      window.speechSynthesis.speak(utterance);
    } else if (target.hasAttribute("data-copy")) {
      var text = target.getAttribute("data-copy");
      var shown = $("[data-copy-note]");
      var done = function () {
        if (shown) shown.hidden = false;
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(done, function () {
          window.prompt("长按复制链接：", text);
        });
      } else {
        window.prompt("长按复制链接：", text);
      }
    } else if (target.hasAttribute("data-print")) {
      window.print();
    } else if (target.hasAttribute("data-step")) {
      var field = target.closest("form").querySelector('input[name="free_spaces"]');
      var value = parseInt(field.value || "0", 10) || 0;
      field.value = Math.max(0, value + parseInt(target.getAttribute("data-step"), 10));
    }
  });

  /* A town picked from the list wins over an earlier position (runs before HTMX reads the form). */
  document.addEventListener(
    "change",
    function (e) {
      if (e.target.name === "town" && e.target.form) {
        e.target.form.querySelector('[name="lon"]').value = "";
        e.target.form.querySelector('[name="lat"]').value = "";
      }
    },
    true
  );

  /* ---------------------------------------------------------------- offline banner */

  function offlineBanner() {
    var banner = $(".offline-banner");
    if (navigator.onLine) {
      if (banner) banner.remove();
      return;
    }
    if (banner) return;
    banner = document.createElement("p");
    banner.className = "offline-banner";
    banner.setAttribute("role", "status");
    var stamp = $("[data-rendered]");
    var when = stamp ? new Date(stamp.getAttribute("data-rendered")) : null;
    var saved = "上次打开时";
    if (when && !isNaN(when.getTime())) {
      var two = function (n) {
        return (n < 10 ? "0" : "") + n;
      };
      saved = two(when.getMonth() + 1) + "-" + two(when.getDate()) + " " + two(when.getHours()) + ":" + two(when.getMinutes());
    }
    banner.textContent = "当前离线：显示的是 " + saved + " 保存的信息，车位情况以现场为准。";
    var main = $("main");
    if (main) main.insertBefore(banner, main.firstChild);
  }

  /* ---------------------------------------------------------------- check-in with no signal
     A tap on a check-in button while offline is kept on the phone (localStorage) with the moment of the tap, and
     sent when the phone is back online, on this page or any driver page opened later. The server counts it at that
     moment (24 hours at most) and merges taps within 10 minutes as usual. */

  var CHECKIN_QUEUE = "chelun-checkin-queue";

  function checkinQueue() {
    try {
      return JSON.parse(localStorage.getItem(CHECKIN_QUEUE) || "[]");
    } catch (e) {
      return [];
    }
  }

  function saveCheckinQueue(items) {
    try {
      if (items.length) localStorage.setItem(CHECKIN_QUEUE, JSON.stringify(items));
      else localStorage.removeItem(CHECKIN_QUEUE);
      return true;
    } catch (e) {
      return false;
    }
  }

  function checkinNotice(text) {
    var card = $("#checkin");
    if (!card) return;
    var note = $('[data-testid="checkin-result"]', card);
    if (!note) {
      note = document.createElement("p");
      note.setAttribute("data-testid", "checkin-result");
      card.insertBefore(note, card.querySelector("form") || null);
    }
    note.className = "notice";
    note.setAttribute("role", "status");
    note.textContent = text;
  }

  function queueOfflineCheckin(e) {
    var button = e.target.closest ? e.target.closest('#checkin button[name="services"]') : null;
    if (!button || navigator.onLine) return;
    e.preventDefault();
    e.stopPropagation(); // before HTMX sends a request that cannot arrive
    var form = button.form;
    var token = form.querySelector('[name="csrfmiddlewaretoken"]');
    var items = checkinQueue();
    items.push({ url: form.action, service: button.value, at: new Date().toISOString(), token: token ? token.value : "" });
    if (saveCheckinQueue(items)) checkinNotice("当前离线：签到已保存在本机，联网后自动提交（" + items.length + " 条待提交）");
    else checkinNotice("当前离线，且本机无法保存签到，请联网后再点一次。");
  }

  function sendQueuedCheckins() {
    var items = checkinQueue();
    if (!navigator.onLine || !items.length || sendQueuedCheckins.busy) return;
    sendQueuedCheckins.busy = true;
    var sent = 0;
    (function next() {
      if (!items.length) {
        sendQueuedCheckins.busy = false;
        saveCheckinQueue(items);
        if (sent) checkinNotice("已补交 " + sent + " 条离线签到，谢谢！");
        return;
      }
      var item = items[0];
      var body = new FormData();
      body.append("services", item.service);
      body.append("at", item.at);
      body.append("csrfmiddlewaretoken", item.token);
      fetch(item.url, { method: "POST", body: body, credentials: "same-origin", headers: { "HX-Request": "true" } })
        .then(function (response) {
          // Sent, or refused for good (too old, station closed): either way it leaves the queue. A server error
          // keeps it for the next time.
          if (response.status >= 500) throw new Error(String(response.status));
          if (response.ok) sent += 1;
          items.shift();
          saveCheckinQueue(items);
          next();
        })
        .catch(function () {
          sendQueuedCheckins.busy = false;
        });
    })();
  }

  function init() {
    var mapEl = document.getElementById("station-map");
    if (mapEl && window.L) window.stationMap = new StationMap(mapEl);
    var routeForm = document.getElementById("route-form");
    if (routeForm) setupRouteForm(routeForm);
    if (!("speechSynthesis" in window)) {
      document.querySelectorAll("[data-say]").forEach(function (b) {
        b.hidden = true;
      });
    }
    var sw = document.querySelector("[data-sw]");
    if (sw && "serviceWorker" in navigator) {
      navigator.serviceWorker.register(sw.getAttribute("data-sw")).catch(function () {});
    }
    window.addEventListener("online", offlineBanner);
    window.addEventListener("offline", offlineBanner);
    offlineBanner();
    document.addEventListener("click", queueOfflineCheckin, true);
    window.addEventListener("online", sendQueuedCheckins);
    sendQueuedCheckins();
    document.body.addEventListener("htmx:afterSwap", function (e) {
      if (!e.detail.target || e.detail.target.id !== "results") return;
      if (window.stationMap) window.stationMap.refresh();
      // The route form is a screen long: bring the answer into view.
      else if (routeForm) e.detail.target.scrollIntoView({ block: "start" });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
