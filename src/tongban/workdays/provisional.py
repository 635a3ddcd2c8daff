"""Working days past the official calendar, from the law itself (暂定 / provisional).

The State Council publishes each year's holiday schedule (放假安排) late in the year before; service
cannot wait for it. Until it is imported, a year's rest days come from 《全国年节及纪念日放假办法》 as
amended on 10 November 2024 (国务院令第795号, in force from 1 January 2025):

* 13 holidays for everybody (第二条): 元旦 1, 春节 4 (农历除夕、正月初一至初三), 清明节 1, 劳动节 2
  (5月1日、2日), 端午节 1, 中秋节 1, 国庆节 3 (10月1日至3日) — the lunar dates computed;
* a holiday falling on a Saturday or Sunday is made up on the following working days (第六条, 补假);
* every Saturday and Sunday is a rest day.

What the law does NOT fix — the yearly 调休 swaps that join holidays and weekends into longer breaks,
with their make-up working weekends (第七条 "可合理安排统一放假调休") — is not predictable and is never
invented here: a provisional year has no 调休上班 days. Dates computed on such a year are therefore
provisional (暂定) and say so; importing the official schedule replaces the year and recomputes them.

The lunar arithmetic and the 补假 rule come from the `holidays` package (`holidays.countries.China`,
2024 revision implemented since 0.61, PR vacanza/holidays#2124). Its State Council arrangements of past
years (the 调休 swaps it knows, ChinaStaticHolidays) are left out on purpose: for a provisional year they
would not exist, and for a year that has them the official import is the source, not this module.
"""

from __future__ import annotations

import datetime as dt
from importlib import metadata

from holidays.countries.china import China

#: The law as amended in 2024 applies from 2025 on; earlier years had other holidays (no 除夕, one day
#: of 劳动节) and are all in the seeded official calendar anyway.
FIRST_LAW_YEAR = 2025
#: The package covers its lunar tables up to here; no deadline reaches that far.
LAST_LAW_YEAR = 2099


class _StatutoryChina(China):
    """China's holidays as the law sets them: the statutory days and their 补假, without the State
    Council's yearly 调休 arrangements (ChinaStaticHolidays) that the package also carries."""

    def __init__(self) -> None:
        super().__init__(observed=True, language="zh_CN")  # no years: nothing populated yet
        self.has_special_holidays = False
        self.weekend_workdays = set()


def holidays_version() -> str:
    try:
        return metadata.version("holidays")
    except metadata.PackageNotFoundError:  # pragma: no cover - it is a dependency
        return "?"


def statutory_rest_days(year: int) -> dict[dt.date, str]:
    """The rest days the law gives in `year` (holidays and their 补假, weekends not included), with
    their Chinese names, e.g. {date(2027, 2, 9): "春节（补假）"}."""
    if not FIRST_LAW_YEAR <= year <= LAST_LAW_YEAR:
        raise ValueError(f"{year} is outside the years the 2024 holiday law can give ({FIRST_LAW_YEAR}–)")
    calendar = _StatutoryChina()
    calendar.get(dt.date(year, 1, 1))  # populates the year (holidays are generated on first look-up)
    # Older releases (0.61–) name a make-up day "（观察日）", newer ones "（补假）", the law's word.
    return {
        d: str(name).replace("; ", "、").replace("（观察日）", "（补假）")
        for d, name in sorted(calendar.items())
        if d.year == year
    }


def provisional_days(year: int) -> list[tuple[dt.date, str, str]]:
    """(date, kind, holiday name) for every date of `year`, as the law gives it: kind "holiday" for
    a statutory rest day or its 补假, "weekend" / "workday" otherwise. Never "makeup" (调休上班)."""
    rest = statutory_rest_days(year)
    day, one, out = dt.date(year, 1, 1), dt.timedelta(days=1), []
    while day.year == year:
        if day in rest:
            out.append((day, "holiday", rest[day]))
        else:
            out.append((day, "weekend" if day.weekday() >= 5 else "workday", ""))
        day += one
    return out


def provisional_source() -> str:
    return f"法定节假日推算（暂定，holidays {holidays_version()}）"
