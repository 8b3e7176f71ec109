"""Builders of numbers: rounding, the distance between two places, a customer's bucket."""

from __future__ import annotations

from segdsl.operators.build import SQL, Build, built
from segdsl.python_values import EARTH_RADIUS_KM


def round_to(b: Build, x: SQL, digits: SQL | None = None) -> SQL:
    return built(b.exp.Round(this=x, decimals=digits))


def distance_km(b: Build, lat1: SQL, lon1: SQL, lat2: SQL, lon2: SQL) -> SQL:
    """Haversine on a sphere of radius 6371.0088 km (the IUGG mean Earth radius)."""
    e = b.exp

    def rad(x: SQL) -> SQL:
        return built(
            e.Mul(
                this=e.Paren(this=x),
                expression=e.Div(
                    this=e.Anonymous(this="PI", expressions=[]), expression=e.Literal.number(180)
                ),
            )
        )

    def half_sin_sq(a: SQL, c: SQL) -> SQL:
        sin = e.Anonymous(
            this="SIN",
            expressions=[
                e.Div(this=rad(e.Sub(this=a, expression=c)), expression=e.Literal.number(2))
            ],
        )
        return built(e.Mul(this=sin, expression=sin.copy()))

    inner = e.Add(
        this=half_sin_sq(lat2, lat1),
        expression=e.Mul(
            this=e.Mul(
                this=e.Anonymous(this="COS", expressions=[rad(lat1.copy())]),
                expression=e.Anonymous(this="COS", expressions=[rad(lat2.copy())]),
            ),
            expression=half_sin_sq(lon2, lon1),
        ),
    )
    return built(
        e.Mul(
            this=e.Literal.number(repr(2 * EARTH_RADIUS_KM)),
            expression=e.Anonymous(this="ASIN", expressions=[e.Sqrt(this=inner)]),
        )
    )


def bucket(b: Build, count: SQL, salt: SQL) -> SQL:
    """int(md5(salt + ":" + key)[:8], 16) % count: the same on every engine with md5."""
    e = b.exp
    text = e.Concat(expressions=[salt, e.Literal.string(":"), e.cast(b.key(), "varchar")])
    digits = e.Substring(
        this=e.MD5(this=text), start=e.Literal.number(1), length=e.Literal.number(8)
    )
    return built(e.Mod(this=b.dialect.hex_to_int(b, digits, 8), expression=count))
