"""The findings marked in the note's text, for a person to read (``cluneal notes --text``)."""

from __future__ import annotations

from cluneal.nlp.finding import Finding

FLAGS = ("negated", "historical", "hypothetical", "uncertain", "family")


def describe(finding: Finding) -> str:
    """``concept`` with its side, attributes and section: "buttock_pain left negated"."""
    words = [finding.concept]
    if finding.side:
        words.append(finding.side)
    words += [flag for flag in FLAGS if getattr(finding, flag)]
    return " ".join(words)


def highlight(text: str, findings: list[Finding]) -> str:
    """The text with each finding as ``[[text]]{n}``, then one line per finding ``{n} ...``.

    Findings that overlap an earlier one are listed but not marked inline.
    """
    out: list[str] = []
    pos = 0
    for number, finding in enumerate(findings, 1):
        if finding.start < pos:
            continue
        out += [text[pos : finding.start], f"[[{finding.text}]]{{{number}}}"]
        pos = finding.end
    out.append(text[pos:])
    legend = [
        f"{{{n}}} {describe(f)}" + (f" (section {f.section})" if f.section else "")
        for n, f in enumerate(findings, 1)
    ]
    body = "".join(out).rstrip("\n")
    return body + "\n\n" + ("\n".join(legend) if legend else "no findings") + "\n"
