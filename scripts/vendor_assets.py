#!/usr/bin/env python3
"""Vendor pinned front-end libraries into chelun/static/vendor/ (NetBox style).

Running the platform must not need Node or internet access, so the few
browser libraries we use are committed to the repo. This script is the only
way they should change: it fetches each pinned npm tarball with `npm pack`
(so only the configured npm registry is contacted), checks it against the
pinned integrity hash, copies the chosen files plus licence texts, and writes
manifest.json recording versions, licences and sha256 of every file.

Usage:  .venv/bin/python scripts/vendor_assets.py

Standard library only; needs `npm` on PATH (a developer tool, not a runtime one).
"""

from __future__ import annotations

import base64
import fnmatch
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TypedDict

REPO_ROOT = Path(__file__).resolve().parent.parent
VENDOR_DIR = REPO_ROOT / "chelun" / "static" / "vendor"
MANIFEST_PATH = VENDOR_DIR / "manifest.json"

# Files kept at the top of VENDOR_DIR that this script does not manage.
UNMANAGED = frozenset({"manifest.json", "README.md"})

# npm puts every file of a package tarball under this directory.
TARBALL_ROOT = "package/"

# Licence-related files copied beside the assets. NOTICE matters for
# Apache-2.0 (echarts), which requires it to travel with redistributions.
LICENCE_PATTERNS = (
    "license",
    "license.*",
    "licence",
    "licence.*",
    "notice",
    "notice.*",
)


@dataclass(frozen=True)
class Pin:
    """One npm package to vendor."""

    name: str
    version: str
    # SRI string as published by the registry (`npm view NAME@VER dist.integrity`).
    # Pinned so a re-published or tampered tarball is refused, like a lockfile.
    integrity: str
    # Glob patterns relative to the package root, matched against tarball paths.
    files: tuple[str, ...]
    # Prefix removed from each path on copy, so e.g. leaflet's dist/images/
    # lands next to leaflet.css and the CSS's relative url(images/...) works.
    strip_prefix: str = "dist/"


PINS: tuple[Pin, ...] = (
    Pin(
        name="htmx.org",
        version="2.0.11",
        integrity="sha512-Thx/WtpeOQqSrqBCw/A1cwGJGg4UrVa3+sW0GmrM3p4gJgO89ecH4qtbnyzDDWFvBTqjnIMCgELTNt636dtamA==",
        files=("dist/htmx.min.js",),
    ),
    Pin(
        name="leaflet",
        version="1.9.4",
        integrity="sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA==",
        # leaflet.js ends in `//# sourceMappingURL=leaflet.js.map`; the manifest
        # static storage (collectstatic) follows that reference and stops if the
        # map is absent, so the map ships with the script it belongs to.
        files=("dist/leaflet.js", "dist/leaflet.js.map", "dist/leaflet.css", "dist/images/*.png"),
    ),
    Pin(
        name="echarts",
        version="5.6.0",
        integrity="sha512-oTbVTsXfKuEhxftHqL5xprgLoc0k7uScAwtryCgWF6hPYFLRwOUHiFmHGCBKP5NPFNkDVopOieyUqYGH8Fa3kA==",
        files=("dist/echarts.min.js",),
    ),
)


class FileEntry(TypedDict):
    path: str  # relative to VENDOR_DIR, POSIX separators
    sha256: str


class PackageEntry(TypedDict):
    name: str
    version: str
    license: str  # SPDX id from the tarball's package.json
    integrity: str
    files: list[FileEntry]


class VendorError(Exception):
    """A pin could not be vendored as specified."""


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sri_sha512(path: Path) -> str:
    """Subresource-integrity form used by npm: 'sha512-<base64 digest>'."""
    digest = hashlib.sha512(path.read_bytes()).digest()
    return "sha512-" + base64.b64encode(digest).decode("ascii")


def npm_pack(pin: Pin, dest: Path) -> Path:
    """Download NAME@VERSION's tarball into dest via npm and return its path."""
    spec = f"{pin.name}@{pin.version}"
    # --ignore-scripts: we only want the published tarball, never to run code.
    # cwd=dest keeps any project-level npm config or package.json out of play.
    result = subprocess.run(
        [
            "npm",
            "pack",
            spec,
            "--json",
            "--ignore-scripts",
            "--pack-destination",
            str(dest),
        ],
        cwd=dest,
        check=True,
        capture_output=True,
        text=True,
    )
    info = json.loads(result.stdout)
    tarball = dest / str(info[0]["filename"])
    if not tarball.is_file():
        raise VendorError(f"npm pack {spec} did not produce {tarball.name}")
    # Hash locally rather than trusting npm's report of what it fetched.
    actual = sri_sha512(tarball)
    if actual != pin.integrity:
        raise VendorError(
            f"{spec}: tarball integrity {actual} does not match pinned {pin.integrity}. "
            "If you changed the version on purpose, confirm with "
            f"`npm view {spec} dist.integrity` and update the pin."
        )
    return tarball


def select_members(tar: tarfile.TarFile, pin: Pin) -> dict[str, tarfile.TarInfo]:
    """Map package-relative path -> tar member for the pinned assets and licences."""
    regular = {
        m.name.removeprefix(TARBALL_ROOT): m for m in tar.getmembers() if m.isfile() and m.name.startswith(TARBALL_ROOT)
    }
    chosen: dict[str, tarfile.TarInfo] = {}
    for pattern in pin.files:
        # fnmatch's '*' also crosses '/', so require the same depth explicitly
        # to keep 'dist/images/*.png' from reaching into subfolders.
        depth = pattern.count("/")
        hits = [p for p in regular if p.count("/") == depth and fnmatch.fnmatchcase(p, pattern)]
        if not hits:
            # Fail loudly: an upstream layout change must not silently drop a file.
            raise VendorError(f"{pin.name}@{pin.version}: nothing matches {pattern!r}")
        chosen.update((p, regular[p]) for p in hits)
    licences = [p for p in regular if "/" not in p and any(fnmatch.fnmatch(p.lower(), pat) for pat in LICENCE_PATTERNS)]
    if not licences:
        raise VendorError(f"{pin.name}@{pin.version}: no LICENSE file in tarball")
    chosen.update((p, regular[p]) for p in licences)
    return chosen


def read_licence_id(tar: tarfile.TarFile, pin: Pin) -> str:
    """SPDX id from the package's own package.json (not from registry metadata)."""
    member = tar.extractfile(TARBALL_ROOT + "package.json")
    if member is None:
        raise VendorError(f"{pin.name}: package.json missing from tarball")
    meta = json.load(member)
    if meta.get("version") != pin.version:
        raise VendorError(f"{pin.name}: tarball is version {meta.get('version')}, pinned {pin.version}")
    licence = meta.get("license")
    if not isinstance(licence, str) or not licence:
        raise VendorError(f"{pin.name}: package.json has no SPDX 'license' string")
    return licence


def dest_name(pin: Pin, package_path: str) -> PurePosixPath:
    """Where a package file goes, relative to the package's vendor folder."""
    rel = PurePosixPath(package_path.removeprefix(pin.strip_prefix))
    # Guard against '..' or absolute paths sneaking in via a crafted tarball.
    if rel.is_absolute() or ".." in rel.parts:
        raise VendorError(f"{pin.name}: unsafe path {package_path!r}")
    return rel


def vendor_package(pin: Pin, workdir: Path) -> PackageEntry:
    """Fetch one pin, replace its vendor folder, return its manifest entry."""
    tarball = npm_pack(pin, workdir)
    target = VENDOR_DIR / pin.name
    with tarfile.open(tarball, "r:gz") as tar:
        licence = read_licence_id(tar, pin)
        members = select_members(tar, pin)
        # Start from empty so files dropped from the pin do not linger.
        if target.exists():
            shutil.rmtree(target)
        for package_path, member in members.items():
            out = target / dest_name(pin, package_path)
            out.parent.mkdir(parents=True, exist_ok=True)
            src = tar.extractfile(member)
            assert src is not None  # members are regular files by construction
            out.write_bytes(src.read())

    files = sorted(p for p in target.rglob("*") if p.is_file())
    return {
        "name": pin.name,
        "version": pin.version,
        "license": licence,
        "integrity": pin.integrity,
        "files": [{"path": p.relative_to(VENDOR_DIR).as_posix(), "sha256": sha256_of(p)} for p in files],
    }


def main() -> int:
    if shutil.which("npm") is None:
        print(
            "npm not found on PATH; it is needed only to refresh vendored assets.",
            file=sys.stderr,
        )
        return 1
    VENDOR_DIR.mkdir(parents=True, exist_ok=True)

    pinned = {pin.name for pin in PINS}
    stray = sorted(p.name for p in VENDOR_DIR.iterdir() if p.name not in pinned | UNMANAGED)
    if stray:
        # Not deleted automatically: could be someone's work in progress.
        print(
            f"warning: unmanaged entries in {VENDOR_DIR}: {', '.join(stray)}",
            file=sys.stderr,
        )

    packages: list[PackageEntry] = []
    with tempfile.TemporaryDirectory(prefix="vendor-assets-") as tmp:
        for pin in PINS:
            try:
                packages.append(vendor_package(pin, Path(tmp)))
            except (VendorError, subprocess.CalledProcessError) as exc:
                detail = getattr(exc, "stderr", None) or ""
                print(f"error: {exc}\n{detail}".rstrip(), file=sys.stderr)
                return 1

    manifest = {
        "comment": "Generated by scripts/vendor_assets.py; do not edit by hand.",
        "packages": sorted(packages, key=lambda p: p["name"]),
    }
    # Stable formatting and no timestamps, so re-running yields an identical file.
    MANIFEST_PATH.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    for pkg in packages:
        print(f"{pkg['name']}@{pkg['version']} ({pkg['license']}): {len(pkg['files'])} files")
    print(f"wrote {MANIFEST_PATH.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
