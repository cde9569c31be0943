"""The listing form: what a clinician writes about their service, and where it is.

The location comes from the city and country through the gazetteer, so that a clinician
need not know their coordinates; explicit coordinates win when given (a clinic outside
the towns the gazetteer knows).
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator

from cluneal.knowledge import gazetteer
from cluneal.web.directory.models import Listing, LocatedFrom
from cluneal.web.directory.search import SERVICES

MAX_LANGUAGES = 12
_LANGUAGE = re.compile(r"^[^\W\d_][\w .()'-]{0,39}$")


class ListingForm(forms.ModelForm):  # type: ignore[type-arg]
    field_order = [
        "site",
        "display_name",
        "specialty",
        "services",
        "languages",
        "city",
        "country",
        "latitude",
        "longitude",
        "contact_url",
        "note",
    ]
    services = forms.MultipleChoiceField(
        choices=SERVICES,
        widget=forms.CheckboxSelectMultiple,
        label="Services offered",
        error_messages={"required": "Choose at least one service."},
    )
    languages = forms.CharField(
        max_length=400,
        label="Languages spoken (separated by commas)",
        help_text="For example: English, French",
    )
    country = forms.ChoiceField(label="Country")
    latitude = forms.FloatField(
        required=False,
        min_value=-90,
        max_value=90,
        label="Latitude (optional, decimal degrees)",
        help_text="Leave both coordinates blank to place the listing at its city.",
    )
    longitude = forms.FloatField(
        required=False, min_value=-180, max_value=180, label="Longitude (optional)"
    )

    class Meta:
        model = Listing
        fields = ["site", "display_name", "specialty", "city", "contact_url", "note"]
        labels = {
            "display_name": "Clinician or clinic name",
            "specialty": "Specialty",
            "city": "City or town",
            "contact_url": "Contact link (a web page, or mailto:address)",
            "note": "Note for patients (optional)",
        }
        help_texts = {
            "display_name": "Shown publicly. A professional name, never a patient's.",
            "specialty": "For example: pain medicine, spine surgery, physiotherapy.",
            "contact_url": "https://… or mailto:clinic@example.org",
        }
        widgets = {"note": forms.Textarea(attrs={"rows": 3, "maxlength": 1000})}

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["site"].empty_label = None
        self.fields["country"].choices = [("", "Choose a country"), *gazetteer.countries()]
        listing: Listing = self.instance
        if not listing._state.adding:
            self.fields["site"].disabled = True
            self.initial.update(
                services=listing.services,
                languages=", ".join(listing.languages),
                country=listing.country,
            )
            if listing.located_from == LocatedFrom.ENTERED:
                self.initial.update(latitude=listing.latitude, longitude=listing.longitude)

    def clean_languages(self) -> list[str]:
        found: dict[str, str] = {}
        for part in self.cleaned_data["languages"].split(","):
            name = " ".join(part.split())
            if not name:
                continue
            if not _LANGUAGE.match(name):
                raise ValidationError(f"“{name[:40]}” is not a language name.")
            found.setdefault(name.casefold(), name[0].upper() + name[1:])
        if not found:
            raise ValidationError("Name at least one language.")
        if len(found) > MAX_LANGUAGES:
            raise ValidationError(f"Name at most {MAX_LANGUAGES} languages.")
        return list(found.values())

    def clean_contact_url(self) -> str:
        link = self.cleaned_data["contact_url"].strip()
        if link.lower().startswith("mailto:"):
            address = link[len("mailto:") :]
            try:
                EmailValidator()(address)
            except ValidationError:
                raise ValidationError("Enter mailto: followed by an e-mail address.") from None
            return "mailto:" + address
        try:
            URLValidator(schemes=["http", "https"])(link)
        except ValidationError:
            raise ValidationError(
                "Enter a web address starting with https:// (or http://), or mailto:address."
            ) from None
        return link

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lat, lon = data.get("latitude"), data.get("longitude")
        if (lat is None) != (lon is None):
            if not self.has_error("latitude") and not self.has_error("longitude"):
                missing = "longitude" if lon is None else "latitude"
                self.add_error(missing, "Give both coordinates, or neither.")
        elif lat is None and lon is None and data.get("city") and data.get("country"):
            self._locate(data)
        return data

    def _locate(self, data: dict[str, Any]) -> None:
        try:
            place = gazetteer.resolve(data["city"], data["country"]).place
        except gazetteer.UnknownPlace as exc:
            self.add_error(
                "city",
                f"{exc.message} Or enter the clinic's latitude and longitude below.",
            )
            return
        data["latitude"], data["longitude"] = place.latitude, place.longitude
        data["located_from"] = LocatedFrom.GAZETTEER

    def save(self, commit: bool = True) -> Listing:
        listing: Listing = super().save(commit=False)
        data = self.cleaned_data
        listing.services = [code for code, _ in SERVICES if code in data["services"]]
        listing.languages = data["languages"]
        listing.country = data["country"]
        listing.latitude, listing.longitude = data["latitude"], data["longitude"]
        listing.located_from = data.get("located_from", LocatedFrom.ENTERED)
        if commit:
            listing.save()
        return listing
