"""The vendored front-end assets must match chelun/static/vendor/manifest.json.

A mismatch means a file was edited, added or removed by hand instead of via
scripts/vendor_assets.py, so what we serve no longer matches the recorded
upstream version and licence. Pure stdlib + pytest: no Django, no network.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

VENDOR_DIR = Path(__file__).resolve().parent.parent / "chelun" / "static" / "vendor"
# Top-level files that live beside the vendored packages but are not assets.
UNLISTED = frozenset({"manifest.json", "README.md"})


def load_manifest(vendor_dir: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((vendor_dir / "manifest.json").read_text(encoding="utf-8"))
    return data


def hash_problems(vendor_dir: Path) -> list[str]:
    """Listed files that are missing or whose sha256 differs from the manifest."""
    problems = []
    for pkg in load_manifest(vendor_dir)["packages"]:
        for entry in pkg["files"]:
            path = vendor_dir / entry["path"]
            if not path.is_file():
                problems.append(f"missing: {entry['path']}")
            elif hashlib.sha256(path.read_bytes()).hexdigest() != entry["sha256"]:
                problems.append(f"sha256 mismatch: {entry['path']}")
    return problems


def unlisted_files(vendor_dir: Path) -> list[str]:
    """Files on disk that the manifest does not account for."""
    listed = {e["path"] for pkg in load_manifest(vendor_dir)["packages"] for e in pkg["files"]}
    on_disk = {
        p.relative_to(vendor_dir).as_posix()
        for p in vendor_dir.rglob("*")
        if p.is_file() and p.relative_to(vendor_dir).as_posix() not in UNLISTED
    }
    return sorted(on_disk - listed)


def metadata_problems(vendor_dir: Path) -> list[str]:
    """Packages lacking the version or licence we need for audits and notices."""
    problems = []
    for pkg in load_manifest(vendor_dir)["packages"]:
        name = pkg.get("name") or "<unnamed>"
        for field in ("version", "license"):
            if not isinstance(pkg.get(field), str) or not pkg[field].strip():
                problems.append(f"{name}: no {field}")
        if not pkg.get("files"):
            problems.append(f"{name}: no files")
    return problems


# --- The real vendor directory -------------------------------------------------


def test_manifest_lists_packages() -> None:
    assert load_manifest(VENDOR_DIR)["packages"], "manifest.json lists no packages"


def test_listed_files_match_sha256() -> None:
    assert hash_problems(VENDOR_DIR) == [], "re-run scripts/vendor_assets.py"


def test_every_vendored_file_is_listed() -> None:
    assert unlisted_files(VENDOR_DIR) == [], "files not in manifest.json; add them via the script"


def test_every_package_has_version_and_licence() -> None:
    assert metadata_problems(VENDOR_DIR) == []


# --- The checks themselves must be able to fail ---------------------------------


@pytest.fixture
def vendor_copy(tmp_path: Path) -> Path:
    """A throwaway copy of the vendor dir to tamper with."""
    copy = tmp_path / "vendor"
    shutil.copytree(VENDOR_DIR, copy)
    return copy


def first_listed(vendor_dir: Path) -> str:
    return str(load_manifest(vendor_dir)["packages"][0]["files"][0]["path"])


def test_detects_modified_file(vendor_copy: Path) -> None:
    rel = first_listed(vendor_copy)
    with (vendor_copy / rel).open("ab") as f:
        f.write(b"\n/* local patch */\n")
    assert f"sha256 mismatch: {rel}" in hash_problems(vendor_copy)


def test_detects_missing_file(vendor_copy: Path) -> None:
    rel = first_listed(vendor_copy)
    (vendor_copy / rel).unlink()
    assert f"missing: {rel}" in hash_problems(vendor_copy)


def test_detects_unlisted_file(vendor_copy: Path) -> None:
    (vendor_copy / "leaflet" / "images" / "extra.png").write_bytes(b"not in manifest")
    assert "leaflet/images/extra.png" in unlisted_files(vendor_copy)


def test_detects_missing_licence(vendor_copy: Path) -> None:
    manifest = load_manifest(vendor_copy)
    manifest["packages"][0]["license"] = ""
    (vendor_copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    name = manifest["packages"][0]["name"]
    assert f"{name}: no license" in metadata_problems(vendor_copy)
