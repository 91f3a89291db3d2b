"""The production static pipeline must run on a clean checkout.

README's production steps call `collectstatic` with whitenoise's manifest
storage. That storage rewrites every `url(...)` and `sourceMappingURL` it finds
to a hashed name and stops with ValueError when the referenced file is not
shipped (leaflet.js pointed at leaflet.js.map, which was not vendored). These
tests run the real command into a temporary STATIC_ROOT, and check the
vendored files' source-map references without Django so the cause is named.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from django.core.management import call_command
from django.test import override_settings

VENDOR_DIR = Path(__file__).resolve().parent.parent / "chelun" / "static" / "vendor"
SOURCE_MAP = re.compile(rb"[#@] sourceMappingURL=(\S+)")

PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}


def dangling_source_maps(vendor_dir: Path) -> list[str]:
    """`file -> map` for every sourceMappingURL whose map is not a listed vendored file."""
    manifest = json.loads((vendor_dir / "manifest.json").read_text(encoding="utf-8"))
    listed = {entry["path"] for pkg in manifest["packages"] for entry in pkg["files"]}
    problems = []
    for path in sorted(listed):
        if not path.endswith((".js", ".css")):
            continue
        for ref in SOURCE_MAP.findall((vendor_dir / path).read_bytes()):
            target = (Path(path).parent / ref.decode()).as_posix()
            if target not in listed:
                problems.append(f"{path} -> {target}")
    return problems


def test_every_source_map_reference_is_shipped() -> None:
    assert dangling_source_maps(VENDOR_DIR) == []


def test_dangling_source_map_is_detected(tmp_path: Path) -> None:
    # Given the vendored set without leaflet's map (the state the README hit)
    manifest = json.loads((VENDOR_DIR / "manifest.json").read_text(encoding="utf-8"))
    for pkg in manifest["packages"]:
        pkg["files"] = [e for e in pkg["files"] if e["path"] != "leaflet/leaflet.js.map"]
    (tmp_path / "leaflet").mkdir()
    (tmp_path / "leaflet" / "leaflet.js").write_bytes((VENDOR_DIR / "leaflet" / "leaflet.js").read_bytes())
    (tmp_path / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    listed = [e["path"] for pkg in manifest["packages"] for e in pkg["files"]]
    for path in listed:
        if path != "leaflet/leaflet.js":
            (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / path).write_bytes(b"")
    # Then the check names the missing map
    assert dangling_source_maps(tmp_path) == ["leaflet/leaflet.js -> leaflet/leaflet.js.map"]


def test_collectstatic_with_manifest_storage(tmp_path: Path) -> None:
    # When collectstatic runs with the production storage into an empty root
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=PRODUCTION_STORAGES):
        call_command("collectstatic", "--noinput", verbosity=0)
    # Then it finishes and the manifest maps the vendored files to hashed names
    paths = json.loads((tmp_path / "staticfiles.json").read_text(encoding="utf-8"))["paths"]
    assert re.fullmatch(r"vendor/leaflet/leaflet\.[0-9a-f]{12}\.js", paths["vendor/leaflet/leaflet.js"])
    assert re.fullmatch(r"vendor/leaflet/leaflet\.js\.[0-9a-f]{12}\.map", paths["vendor/leaflet/leaflet.js.map"])
    # and the hashed script points at the hashed map, so browsers' devtools find it
    hashed_js = (tmp_path / paths["vendor/leaflet/leaflet.js"]).read_text(encoding="utf-8")
    assert hashed_js.rstrip().endswith("sourceMappingURL=" + Path(paths["vendor/leaflet/leaflet.js.map"]).name)
