"""HL7 times (DTM/TS: `YYYYMMDDHHMM[SS[.S...]][+/-ZZZZ]`) to UTC epoch seconds."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo

# A vital sign needs at least its minute; a bare date would put it at midnight.
_LENGTHS = (12, 14)


def hl7_time_to_epoch(value: str, zone: tzinfo | None = None) -> float:
    """UTC epoch seconds of an HL7 time, with its offset (`+0100`, `-0500`) and fractional
    seconds (`20240501093000.25`).

    A time without an offset is taken in `zone`; None means the machine's local zone (with
    its daylight-saving rules, the earlier of two readings of an ambiguous hour). Digits
    after the seconds without a point (`20260124131540000`, as some Mindray gateways send)
    are read as fractions of a second. Raises ValueError for anything else, including a
    time with only a date or an hour: a vital sign stored at a guessed minute is worse than
    one not stored.

    The digits are read as python-hl7's `parse_datetime` reads them (`digits_to_datetime`);
    the offset is applied here because `parse_datetime` turns `-0030` into +00:30.
    """
    text = value.strip()
    offset = None
    if len(text) > 5 and text[-5] in "+-":
        text, sign, zone_digits = text[:-5], text[-5], text[-4:]
        if not (zone_digits.isascii() and zone_digits.isdigit()):
            raise ValueError(f"{value!r}: the offset is not +HHMM or -HHMM")
        hours, minutes = int(zone_digits[:2]), int(zone_digits[2:])
        if hours > 23 or minutes > 59:
            raise ValueError(f"{value!r}: offset {sign}{zone_digits} is not a time zone")
        offset = timedelta(hours=hours, minutes=minutes)
        if sign == "-":
            offset = -offset
    whole, point, fraction = text.partition(".")
    if len(whole) > 14 and not point:
        whole, point, fraction = whole[:14], ".", whole[14:]
    if not (whole.isascii() and whole.isdigit()) or (
        point and not (fraction.isascii() and fraction.isdigit())
    ):
        raise ValueError(f"{value!r} is not an HL7 time (YYYYMMDDHHMMSS[.S][+ZZZZ])")
    if len(whole) not in _LENGTHS:
        raise ValueError(f"{value!r}: an HL7 time needs at least YYYYMMDDHHMM")
    moment = digits_to_datetime(whole, point + fraction)  # raises ValueError on a bad date
    if offset is not None:
        moment = moment.replace(tzinfo=timezone(offset))
    elif zone is not None:
        moment = moment.replace(tzinfo=zone)
    try:
        return moment.timestamp()
    except (OverflowError, OSError) as exc:  # naive times far outside the C library's range
        raise ValueError(f"{value!r}: {exc}") from exc


def digits_to_datetime(whole: str, fraction: str) -> datetime:
    """A naive datetime of `whole` (12 or 14 ASCII digits, YYYYMMDDHHMM[SS]) and `fraction`
    ("" or a point and digits), exactly as python-hl7's `parse_datetime` reads them: the
    seconds with their fraction are rounded to the microsecond (59.9999996 s is 60 s, which
    no datetime holds: ValueError). Raises ValueError for a date or time that does not exist."""
    rest = whole[12:] + fraction
    seconds = timedelta(seconds=float(rest)) if rest else timedelta(0)
    return datetime(
        int(whole[0:4]),
        int(whole[4:6]),
        int(whole[6:8]),
        int(whole[8:10]),
        int(whole[10:12]),
        seconds.seconds,
        seconds.microseconds,
    )
