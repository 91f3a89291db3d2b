"""Forms of the 暖心之家 pages, by the page they serve: drivers (`driver`), the operator's phone console
(`operate`), the registry (`registry`), the province console and funding (`console`), and the fields they share
(`fields`). Forms only clean input (and turn what a driver pasted into points); the views hand the cleaned values
to stations.selectors and stations.services, which hold the rules."""
