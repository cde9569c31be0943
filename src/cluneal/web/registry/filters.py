"""The analytics filters: which of the user's sites, and which entry period.

``site`` is a site id or ``all`` (every site the user may see); ``from`` and ``to`` are dates
(YYYY-MM-DD) bounding the patients' entry into the registry. A value that does not parse, a
site that is not one of the user's (whether or not it exists), or ``to`` before ``from`` is a
400 naming the field.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms

from cluneal.web.accounts.models import Site

ALL = "all"


@dataclass(frozen=True)
class Selection:
    sites: list[Site]
    all_sites: bool
    start: dt.date | None
    end: dt.date | None

    def query(self) -> str:
        """The selection as a query string, for download links."""
        params = {"site": ALL if self.all_sites else str(self.sites[0].pk)}
        if self.start:
            params["from"] = self.start.isoformat()
        if self.end:
            params["to"] = self.end.isoformat()
        return urlencode(params)

    def describe(self) -> dict[str, Any]:
        return {
            "sites": [s.name for s in self.sites],
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
        }


class FilterForm(forms.Form):
    def __init__(self, data: Any, *, sites: list[Site]) -> None:
        super().__init__(data)
        self.sites = sites
        choices = [(str(s.pk), s.name) for s in sites]
        if len(sites) > 1:
            choices.insert(0, (ALL, "All my sites"))
        self.fields["site"] = forms.ChoiceField(
            choices=choices,
            required=False,
            label="Site",
            error_messages={"invalid_choice": "Choose one of your sites."},
        )
        for name, label in (("from", "Entry from"), ("to", "Entry to")):
            self.fields[name] = forms.DateField(
                required=False,
                label=label,
                input_formats=["%Y-%m-%d"],
                widget=forms.DateInput(attrs={"type": "date"}),
                error_messages={"invalid": "Enter a date as YYYY-MM-DD."},
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("from"), data.get("to")
        if start and end and end < start:
            self.add_error("to", "The end of the period is before its start.")
        return data

    def selection(self) -> Selection:
        """The chosen selection (defaults when the form was not submitted)."""
        data = self.cleaned_data if self.is_bound else {}
        site = data.get("site") or (ALL if len(self.sites) > 1 else "")
        if site == ALL:
            return Selection(self.sites, True, data.get("from"), data.get("to"))
        chosen = [s for s in self.sites if str(s.pk) == site] or self.sites[:1]
        return Selection(chosen, False, data.get("from"), data.get("to"))

    def problems(self) -> list[str]:
        return [f"{field}: {' '.join(errors)}" for field, errors in self.errors.items()]


def parse(query: Any, sites: list[Site]) -> FilterForm:
    """A bound form when any filter was given, an unbound one (defaults) otherwise."""
    given = {k: query[k] for k in ("site", "from", "to") if k in query}
    return FilterForm(given or None, sites=sites)
