"""`distance_km(location, lat, lon) <= r` with constants, behind a latitude/longitude box.

The box holds every point within r km, so the test keeps its meaning; the engine answers
the box with two cheap range comparisons and computes the haversine only for the
customers inside it (docs/performance.md#passes; benchmarks/RESULTS.md). No box where
it would reach a pole or cross the antimeridian.
"""

from __future__ import annotations

import math
from decimal import Decimal

from segdsl.check import bound
from segdsl.python_values import EARTH_RADIUS_KM
from segdsl.types import Type


def box(node: bound.Expr) -> bound.Expr | None:
    if not (isinstance(node, bound.Apply) and node.op in ("lt", "le") and len(node.args) == 2):
        return None
    distance, radius_node = node.args
    if not (isinstance(distance, bound.Apply) and distance.op == "distance_km"):
        return None
    numbers = [_number(a) for a in (*distance.args[1:], radius_node)]
    if None in numbers:
        return None
    lat, lon, radius = (float(n) for n in numbers if n is not None)
    reach = radius / EARTH_RADIUS_KM
    if reach <= 0 or abs(lat) > 90 or abs(lon) > 180:
        return None
    if abs(math.radians(lat)) + reach >= math.pi / 2 - 1e-6:
        return None
    dlat = math.degrees(reach) * 1.001 + 1e-9
    dlon = math.degrees(math.asin(min(1.0, math.sin(reach) / math.cos(math.radians(lat)))))
    dlon = dlon * 1.001 + 1e-9
    if lon - dlon < -180 or lon + dlon > 180:
        return None
    corners = (lat - dlat, lat + dlat, lon - dlon, lon + dlon)
    inside = bound.Apply(
        Type.BOOLEAN,
        "in_box",
        (distance.args[0], *(bound.Const(Type.FLOAT, round(v, 9)) for v in corners)),
    )
    return bound.And(Type.BOOLEAN, (inside, node))


def _number(node: bound.Expr) -> float | None:
    """The value of a numeric literal, also written with a minus sign."""
    if isinstance(node, bound.Apply) and node.op == "neg" and len(node.args) == 1:
        inner = _number(node.args[0])
        return None if inner is None else -inner
    if (
        isinstance(node, bound.Const)
        and isinstance(node.value, int | float | Decimal)
        and not isinstance(node.value, bool)
    ):
        return float(node.value)
    return None
