"""Aggregates that give the same answer on PostgreSQL and the embedded SQLite."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum


class DecimalSum(Sum):
    """``Sum`` of a DecimalField, to that field's decimal places on every database.

    PostgreSQL sums NUMERIC exactly; SQLite answers a float that Django turns into a Decimal with
    up to 15 significant digits and no fixed places ("4" or "10.1000000000000" for 4.00 and
    10.10). Quantizing to the field's places gives both databases the same value and text.
    """

    def get_db_converters(self, connection):
        places = Decimal(1).scaleb(-(self.output_field.decimal_places or 0))

        def quantize(value, expression, connection):
            return None if value is None else Decimal(value).quantize(places)

        return [*super().get_db_converters(connection), quantize]
