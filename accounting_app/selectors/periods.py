"""Days and months of an export period, in the installation's time zone."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """[start, end) of a day as aware datetimes."""
    start = timezone.make_aware(datetime.combine(day, time.min))
    return start, timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))


def period_bounds(date_from: date, date_to: date) -> tuple[datetime, datetime]:
    """[start of date_from, start of the day after date_to)."""
    return day_bounds(date_from)[0], day_bounds(date_to)[1]


def days(date_from: date, date_to: date) -> list[date]:
    """Every day from date_from to date_to inclusive."""
    return [date_from + timedelta(days=i) for i in range((date_to - date_from).days + 1)]


def month_last_day(day: date) -> date:
    """The last day of the month of ``day``."""
    first_next = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return first_next - timedelta(days=1)


def months_closed_in(date_from: date, date_to: date) -> list[date]:
    """First days of the months whose last day falls within [date_from, date_to]."""
    result = []
    for day in days(date_from, date_to):
        if day == month_last_day(day):
            result.append(day.replace(day=1))
    return result
