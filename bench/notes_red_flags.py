"""The red flags the notes pipeline finds in MTSamples that would stop a cluneal suggestion.

    python bench/notes_red_flags.py

A red_flag finding counts when it is current: not negated, family, historical, hypothetical or
uncertain. A counting one puts the patient in the screening's ``red_flag`` tier and hides the
EHR cards, so each one printed here is read by hand: a false one hides a candidate.
Prints the notes read, the notes with a counting red flag, and for each of them its index,
specialty and sample name, and the sentence of each counting finding.
"""

from __future__ import annotations

from pathlib import Path

import rdata

from cluneal.nlp.finding import Finding
from cluneal.nlp.pipeline import find, pipeline
from cluneal.nlp.sentences import split_sentences

MTSAMPLES = Path(__file__).resolve().parents[2] / "shared" / "external" / "mtsamples"


def counts(f: Finding) -> bool:
    return f.concept == "red_flag" and not (
        f.negated or f.family or f.historical or f.hypothetical or f.uncertain
    )


def sentence(text: str, f: Finding) -> str:
    """The sentence holding the finding, as the pipeline splits the note."""
    doc = pipeline().nlp.make_doc(text)
    split_sentences(doc)
    for sent in doc.sents:
        if sent.start_char <= f.start < sent.end_char:
            return " ".join(sent.text.split())
    return f.text


def main() -> None:
    frame = rdata.read_rda(str(MTSAMPLES / "mtsamples.rda"))["mtsamples"]
    texts = [t if isinstance(t, str) else "" for t in frame["transcription"]]
    specialties = [str(s).strip() for s in frame["medical_specialty"]]
    names = [str(s).strip() for s in frame["sample_name"]]
    found = find(texts)
    flagged = [(i, [f for f in fs if counts(f)]) for i, fs in enumerate(found)]
    flagged = [(i, fs) for i, fs in flagged if fs]
    print(f"notes read: {len(texts)}")
    print(f"notes with a counting red_flag finding: {len(flagged)}")
    for i, fs in flagged:
        print(f"\n[{i}] {specialties[i]} / {names[i]}")
        for f in fs:
            print(f'  {f.text!r}: "{sentence(texts[i], f)}"')


if __name__ == "__main__":
    main()
