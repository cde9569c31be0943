"""The self-check form: the questions of :mod:`selfcheck` as Django fields, with errors in plain
words that name the question. The red-flag questions come from the active knowledge pack."""

from __future__ import annotations

from typing import Any

from django import forms

from cluneal.core import selfcheck as sc
from cluneal.knowledge.model import KnowledgePack

ANSWER_EACH = "Please answer this question."
CHOOSE_LISTED = "Please choose from the answers listed."


def _errors(required: str = ANSWER_EACH) -> dict[str, str]:
    return {
        "required": required,
        "invalid_choice": CHOOSE_LISTED,
        "invalid_list": CHOOSE_LISTED,
    }


def _radio(label: str, choices: tuple[tuple[str, str], ...], **kwargs: Any) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        widget=forms.RadioSelect,
        error_messages=_errors(),
        **kwargs,
    )


def _ticks(label: str, choices: tuple[tuple[str, str], ...], required: str) -> forms.Field:
    return forms.MultipleChoiceField(
        label=label,
        choices=choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages=_errors(required),
    )


class SelfCheckForm(forms.Form):
    where = _ticks(
        "Where do you feel the pain? Tick all that apply.",
        sc.PLACES,
        "Please tick at least one place.",
    )
    press_crest = _radio(
        "Does pressing a spot on the top edge of the back of your hip bone bring on your "
        "usual pain?",
        sc.PRESS,
    )
    press_sacrum = _radio(
        "Does pressing a spot just below the bony bump at the back of your pelvis bring on "
        "your usual pain?",
        sc.PRESS,
    )
    worse_with = _ticks(
        "Which of these make the pain worse? Tick all that apply.",
        sc.MOVEMENTS,
        "Please tick at least one answer, or None of these.",
    )

    def __init__(self, *args: Any, pack: KnowledgePack, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        months = pack.screening.chronic_months
        self.fields["duration"] = _radio(
            "How long have you had this pain?",
            (("short", f"Less than {months} months"), ("long", f"{months} months or more")),
        )
        self.flag_fields: list[tuple[str, sc.FlagQuestion]] = []
        for flag in pack.red_flags.values():
            question = sc.flag_question(flag)
            name = f"flag_{flag.id}"
            self.fields[name] = _radio(question.question, sc.YES_NO)
            self.flag_fields.append((name, question))

    def clean_worse_with(self) -> list[str]:
        chosen: list[str] = self.cleaned_data["worse_with"]
        if "none" in chosen and len(chosen) > 1:
            raise forms.ValidationError(
                "You ticked None of these and something else. Please tick one or the other."
            )
        return chosen

    def flag_rows(self) -> list[forms.BoundField]:
        """The red-flag questions, for the template to set apart."""
        return [self[name] for name, _ in self.flag_fields]

    def answers(self) -> sc.Answers:
        data = self.cleaned_data
        return sc.Answers(
            where=frozenset(data["where"]),
            press_crest=data["press_crest"],
            press_sacrum=data["press_sacrum"],
            worse_with=frozenset(data["worse_with"]),
            long_lasting=data["duration"] == "long",
            red_flags=frozenset(
                name.removeprefix("flag_") for name, _ in self.flag_fields if data[name] == "yes"
            ),
        )
