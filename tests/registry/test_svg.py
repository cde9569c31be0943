"""Inline SVG for a page whose Content-Security-Policy forbids inline styles."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from matplotlib.figure import Figure

from cluneal.registry.figures import render
from cluneal.registry.svg import SvgError, inline_svg


def sample_svg() -> str:
    fig = Figure(figsize=(3, 2))
    ax = fig.subplots()
    ax.plot([0, 1, 2], [1, 0.5, 0.2], "o--", color="#c8553d")
    ax.fill_between([0, 1], [0, 0], [1, 1], alpha=0.2)
    ax.set_title("A title")
    return render(fig, "svg").decode()


def test_no_inline_style_remains_and_colours_become_attributes():
    original = sample_svg()
    assert 'style="' in original and "<style" in original
    out = inline_svg(original, "fig-", "A figure")
    assert "style=" not in out and "<style" not in out
    root = ET.fromstring(out)
    assert root.get("stroke-linecap") == "butt"  # the document-wide rule, inherited
    strokes = {e.get("stroke") for e in root.iter()}
    assert "#c8553d" in strokes


def test_ids_are_prefixed_and_every_reference_still_resolves():
    out = inline_svg(sample_svg(), "km-", "A figure")
    ids = set(re.findall(r'\bid="([^"]+)"', out))
    assert ids and all(i.startswith("km-") for i in ids)
    refs = re.findall(r"url\(#([^)]+)\)", out) + re.findall(r'href="#([^"]+)"', out)
    assert refs and set(refs) <= ids


def test_it_is_labelled_and_sized_by_its_view_box():
    root = ET.fromstring(inline_svg(sample_svg(), "x-", "Relief after each block"))
    assert root.get("aria-label") == "Relief after each block"
    assert root.get("role") == "img" and root.get("viewBox")
    assert root.get("width") is None and root.get("height") is None
    assert root[0].tag.endswith("title") and root[0].text == "Relief after each block"


def test_a_style_with_no_attribute_form_is_refused_rather_than_lost():
    document = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1">'
        '<rect style="transition: all 1s"/></svg>'
    )
    with pytest.raises(SvgError, match="transition"):
        inline_svg(document, "p-", "x")
