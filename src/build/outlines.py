#!/usr/bin/env python3
"""Builds the console map's outlines (countries and US states) from the TopoJSON files of the npm
packages world-atlas 2.0.2 (Natural Earth 1:110m) and us-atlas 3.0.1 (US Census 1:10m): decodes
the arcs, simplifies (Douglas-Peucker) and rounds coordinates to keep the file small.
Usage: outlines.py countries-110m.json states-10m.json > outlines.geojson"""
import json, sys

def decode(topo, name):
    t = topo.get("transform")
    arcs = []
    for arc in topo["arcs"]:
        x = y = 0
        pts = []
        for p in arc:
            if t:
                x += p[0]; y += p[1]
                pts.append((x * t["scale"][0] + t["translate"][0], y * t["scale"][1] + t["translate"][1]))
            else:
                pts.append((p[0], p[1]))
        arcs.append(pts)
    def ring(ids):
        out = []
        for i in ids:
            a = arcs[i] if i >= 0 else list(reversed(arcs[~i]))
            out.extend(a if not out else a[1:])
        return out
    for g in topo["objects"][name]["geometries"]:
        if g["type"] == "Polygon":
            polys = [g["arcs"]]
        elif g["type"] == "MultiPolygon":
            polys = g["arcs"]
        else:
            continue
        yield g.get("properties", {}).get("name"), [[ring(r) for r in p] for p in polys]

def dp(pts, eps):
    if len(pts) < 3:
        return pts
    (x1, y1), (x2, y2) = pts[0], pts[-1]
    dx, dy = x2 - x1, y2 - y1
    n = (dx * dx + dy * dy) ** 0.5
    best, idx = -1, 0
    for i in range(1, len(pts) - 1):
        px, py = pts[i]
        d = abs(dy * px - dx * py + x2 * y1 - y2 * x1) / n if n else ((px - x1) ** 2 + (py - y1) ** 2) ** 0.5
        if d > best:
            best, idx = d, i
    if best <= eps:
        return [pts[0], pts[-1]]
    return dp(pts[: idx + 1], eps)[:-1] + dp(pts[idx:], eps)

def simplify(ring, eps, digits):
    r = dp(ring, eps)
    r = [[round(x, digits), round(y, digits)] for x, y in r]
    out = [p for i, p in enumerate(r) if i == 0 or p != r[i - 1]]
    return out if len(out) >= 4 else None

features = []
for path, obj, kind, eps in ((sys.argv[1], "countries", "country", 0.1), (sys.argv[2], "states", "state", 0.07)):
    topo = json.load(open(path))
    for name, polys in decode(topo, obj):
        if kind == "country" and name in ("Antarctica",):
            continue
        mp = []
        for p in polys:
            rings = [simplify(r, eps, 2) for r in p]
            if rings[0] is None:
                continue
            mp.append([r for r in rings if r])
        if mp:
            features.append({"type": "Feature", "properties": {"kind": kind, "name": name},
                             "geometry": {"type": "MultiPolygon", "coordinates": mp}})
json.dump({"type": "FeatureCollection", "features": features}, sys.stdout, separators=(",", ":"))
