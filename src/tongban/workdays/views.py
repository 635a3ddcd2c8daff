"""Public page: a year's working-day calendar with holidays and make-up working days marked.

When the calendar is close to running out (selectors.calendar_horizon) the page says so: administrators
and supervisors get the full warning with the import link, everybody else a short note that next year's
schedule is not entered yet (why the year list ends there).
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .calendar import CalendarMissing, provisional_years
from .selectors import calendar_horizon, calendar_year_grid, calendar_year_info, calendar_years, default_year


def calendar_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    years = calendar_years()
    raw = request.GET.get("year", "").strip()
    year = int(raw) if raw.isdigit() else default_year(today)
    context = {
        "years": years,
        "year": year,
        "months": None,
        "missing": None,
        "horizon": calendar_horizon(today),
        "provisional_years": provisional_years(),
        "year_info": calendar_year_info(year=year) if year is not None else None,
    }
    status = 200
    if year is not None:
        try:
            context["months"] = calendar_year_grid(year=year)
        except CalendarMissing as exc:
            context["missing"] = exc.message
            status = 404
    return render(request, "workdays/calendar.html", context, status=status)
