"""A world map drawn on the server as SVG paths, so it shows without JavaScript.

Country shapes: world-atlas 2.0.2 `countries-110m.json` (npm; Natural Earth 1:110m, public domain;
the package's ISC licence beside it in static/insights/). The TopoJSON arcs are decoded here and
projected with the Natural Earth I projection (Šavrič et al. 2015, the polynomial d3 uses).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from niryat.core.countries import by_iso3

TOPOJSON = Path(__file__).parent / "static" / "insights" / "countries-110m.json"
WIDTH = 960.0
# Natural Earth I spans x ∈ [−2.7354, 2.7354] and y ∈ [−1.4224, 1.4224] for the whole sphere;
# the map is cut at 60° S (nobody exports to Antarctica).
SCALE = WIDTH / (2 * 2.7355)
SOUTH = -60.0
# Five shades of one hue, light to dark, for potential in fifths of the largest (log scale).
SHADES = ["#deebf7", "#9ecae1", "#6baed6", "#3182bd", "#08519c"]
NO_POTENTIAL = "#f0f0f0"


def natural_earth(longitude: float, latitude: float) -> tuple[float, float]:
    lam, phi = math.radians(longitude), math.radians(latitude)
    phi2 = phi * phi
    phi4 = phi2 * phi2
    x = lam * (
        0.8707 - 0.131979 * phi2 + phi4 * (-0.013791 + phi4 * (0.003971 * phi2 - 0.001529 * phi4))
    )
    y = phi * (
        1.007226 + phi2 * (0.015085 + phi4 * (-0.044475 + 0.028874 * phi2 - 0.005916 * phi4))
    )
    return x, y


def _point(longitude: float, latitude: float) -> tuple[float, float]:
    x, y = natural_earth(longitude, latitude)
    return WIDTH / 2 + x * SCALE, TOP - y * SCALE


TOP = natural_earth(0, 90)[1] * SCALE
HEIGHT = TOP - natural_earth(0, SOUTH)[1] * SCALE


@dataclass(frozen=True)
class Shape:
    iso3: str
    path: str


def _arcs(topology: dict) -> list[list[tuple[float, float]]]:
    scale = topology["transform"]["scale"]
    translate = topology["transform"]["translate"]
    decoded = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        decoded.append(points)
    return decoded


def _ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def _unwrapped(ring: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """The ring with longitudes made continuous: a ring that crosses the antimeridian (Russia,
    Fiji) runs past ±180° instead of jumping across the whole map."""
    result: list[tuple[float, float]] = []
    shift = 0.0
    for n, (lon, lat) in enumerate(ring):
        if n:
            step = lon + shift - result[-1][0]
            if step > 180:
                shift -= 360
            elif step < -180:
                shift += 360
        result.append((lon + shift, lat))
    return result


def _projected(ring: list[tuple[float, float]], offset: float) -> str:
    """One ring shifted by `offset` degrees, cut at the map's edge meridians and its south."""
    points = [_point(min(max(lon + offset, -180.0), 180.0), max(lat, SOUTH)) for lon, lat in ring]
    return "M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z"


def _path(polygons: list[list[list[int]]], arcs: list[list[tuple[float, float]]]) -> str:
    parts: list[str] = []
    for polygon in polygons:
        for indexes in polygon:
            ring = _unwrapped(_ring(indexes, arcs))
            if len(ring) < 3:
                continue
            longitudes = [lon for lon, _ in ring]
            # A ring past an edge is drawn twice, once on each side, each cut at the edge.
            offsets = [0.0]
            if max(longitudes) > 180:
                offsets.append(-360.0)
            if min(longitudes) < -180:
                offsets.append(360.0)
            parts.extend(_projected(ring, offset) for offset in offsets)
    return "".join(parts)


@cache
def shapes() -> tuple[Shape, ...]:
    """Every country of the map with its SVG path, once per process."""
    topology = json.loads(TOPOJSON.read_text(encoding="utf-8"))
    arcs = _arcs(topology)
    by_numeric = {c.numeric: c.iso3 for c in by_iso3().values()}
    result = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        if geometry.get("type") == "Polygon":
            polygons = [geometry["arcs"]]
        elif geometry.get("type") == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        iso3 = by_numeric.get(str(geometry.get("id", "")), "")
        if iso3 == "ATA":
            continue
        result.append(Shape(iso3=iso3, path=_path(polygons, arcs)))
    return tuple(result)


@dataclass(frozen=True)
class MapCountry:
    iso3: str
    path: str
    fill: str
    title: str


def shade(value: float, largest: float) -> str:
    """The shade of `value` among values up to `largest`: five steps on a log scale over three
    orders of magnitude, so that a market a thousandth of the largest still shows."""
    if value <= 0 or largest <= 0:
        return NO_POTENTIAL
    position = 1 + math.log10(value / largest) / 3  # 1 at the largest, 0 at a thousandth
    step = min(len(SHADES) - 1, max(0, math.ceil(position * len(SHADES)) - 1))
    return SHADES[step]


def shaded_map(values: dict[str, float], titles: dict[str, str]) -> list[MapCountry]:
    """The countries of the map, shaded by `values` (ISO alpha-3 → value)."""
    largest = max(values.values(), default=0.0)
    return [
        MapCountry(
            iso3=shape.iso3,
            path=shape.path,
            fill=shade(values.get(shape.iso3, 0.0), largest),
            title=titles.get(shape.iso3, ""),
        )
        for shape in shapes()
    ]


def legend() -> list[tuple[str, float]]:
    """(shade, lower bound as a percentage of the largest) from the darkest down; the lightest
    shade also takes whatever is smaller."""
    steps = len(SHADES)
    return [
        (SHADES[n], round(100 * 10 ** (3 * (n / steps - 1)), 1)) for n in reversed(range(steps))
    ]
