"""暖心之家 pages, by who uses them: drivers (`driver`: map, list, route; `card`: one station, check-in, feedback,
share; `assets`: base map and service worker), operators (`operate`: their own stations from a phone) and the
province console (`console`: stations and gaps; `funding`: costs and subsidies; `exports`: its Excel files).
`wording` holds the words the pages put on status and times; `pages` what the modules share.

Thin: reads go through stations.selectors (scoped to the user), writes through stations.services; what a page shows
about freshness comes from selectors.station_live_status, never from the template."""
