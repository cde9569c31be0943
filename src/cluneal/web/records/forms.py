"""Forms of the record: patient, block, treatment, patient link. The visit uses the
calculator's fields (see :mod:`cluneal.web.calculator.form`) and the pain drawing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from cluneal.web.accounts.models import Site
from cluneal.web.records.models import (
    RECORD_NUMBER_MESSAGE,
    Block,
    LinkKind,
    Patient,
    Treatment,
)


class DateInput(forms.DateInput):
    input_type = "date"


class PatientForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Patient
        fields = ["site", "record_number", "birth_year", "sex", "name", "contact"]
        labels = {
            "record_number": "Record number (pseudonymous, chosen by the site)",
            "birth_year": "Year of birth",
            "name": "Name (optional, identifiable)",
            "contact": "Contact (optional, identifiable)",
        }
        # One message for every wrong record number, saying what one may hold.
        error_messages = {"record_number": {"max_length": RECORD_NUMBER_MESSAGE}}

    def __init__(self, *args: Any, sites: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["site"].queryset = sites
        self.fields["site"].empty_label = None
        if not self.instance._state.adding:
            self.fields["site"].disabled = True
        self.fields["birth_year"].widget.attrs.update(min=1900, max=dt.date.today().year)

    def clean_birth_year(self) -> int | None:
        year = self.cleaned_data.get("birth_year")
        if year is not None and not 1900 <= year <= dt.date.today().year:
            raise forms.ValidationError(f"Enter a year from 1900 to {dt.date.today().year}.")
        return year

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        existing = not self.instance._state.adding
        site: Site | None = data.get("site") or (self.instance.site if existing else None)
        number = data.get("record_number")
        if site and number:
            clash = Patient.objects.filter(site=site, record_number=number)
            if existing:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error("record_number", "This site already has a patient with this number.")
        return data


class BlockForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Block
        fields = [
            "date",
            "nerve",
            "side",
            "agent",
            "volume_ml",
            "guidance",
            "nrs_before",
            "nrs_after",
            "minutes_after",
            "relief_days",
        ]
        widgets = {"date": DateInput()}
        labels = {
            "volume_ml": "Volume (ml)",
            "nrs_before": "Pain before (NRS 0-10)",
            "nrs_after": "Pain after (NRS 0-10)",
            "minutes_after": "Minutes after the block when measured",
            "relief_days": "Relief lasted (days; filled from the pain diary when one is kept)",
        }


class TreatmentForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Treatment
        fields = ["date", "kind", "nerve", "side", "outcome", "recurrence_date", "last_follow_up"]
        widgets = {
            "date": DateInput(),
            "recurrence_date": DateInput(),
            "last_follow_up": DateInput(),
        }
        labels = {
            "recurrence_date": "Pain came back on (if it did)",
            "last_follow_up": "Last follow-up for this treatment",
        }

    def clean(self) -> dict[str, Any]:
        """Follow-up dates feed the registry's time to recurrence, so they must be possible:
        not before the treatment, not in the future, and a recurrence goes with 'recurred'."""
        data = super().clean() or {}
        date, today = data.get("date"), dt.date.today()
        for name in ("recurrence_date", "last_follow_up"):
            value = data.get(name)
            if value is None:
                continue
            if date is not None and value < date:
                self.add_error(name, "This date is before the treatment.")
            elif value > today:
                self.add_error(name, "This date is in the future.")
        if data.get("recurrence_date") is not None and data.get("outcome") != "recurred":
            self.add_error("recurrence_date", "A recurrence date goes with the outcome 'recurred'.")
        return data


class LinkForm(forms.Form):
    kind = forms.ChoiceField(choices=LinkKind.choices, label="What the patient fills in")
    block = forms.ModelChoiceField(
        queryset=Block.objects.none(), required=False, label="Block the pain diary follows"
    )

    def __init__(self, *args: Any, patient: Patient, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["block"].queryset = patient.blocks.all()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == LinkKind.DIARY and not data.get("block"):
            self.add_error("block", "A pain diary follows a block: choose one.")
        return data
