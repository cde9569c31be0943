"""Matplotlib SVG made fit to sit inline in a page that has a strict Content-Security-Policy.

The site sends ``style-src 'self'``, which blocks ``style="..."`` attributes and ``<style>``
elements inside inline SVG: a matplotlib figure would then render as black shapes. Every
property matplotlib writes there is also an SVG presentation attribute, which CSP does not
govern, so the style declarations are moved into attributes. Element ids are prefixed (and
references rewritten) because several figures share one HTML document, where ids must be
unique.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
#: SVG 1.1 presentation attributes (SVG 1.1, section "Styling", property index).
PRESENTATION = frozenset(
    [
        "alignment-baseline",
        "baseline-shift",
        "clip",
        "clip-path",
        "clip-rule",
        "color",
        "color-interpolation",
        "color-interpolation-filters",
        "color-rendering",
        "cursor",
        "direction",
        "display",
        "dominant-baseline",
        "fill",
        "fill-opacity",
        "fill-rule",
        "filter",
        "flood-color",
        "flood-opacity",
        "font-family",
        "font-size",
        "font-size-adjust",
        "font-stretch",
        "font-style",
        "font-variant",
        "font-weight",
        "image-rendering",
        "letter-spacing",
        "lighting-color",
        "marker-end",
        "marker-mid",
        "marker-start",
        "mask",
        "opacity",
        "overflow",
        "pointer-events",
        "shape-rendering",
        "stop-color",
        "stop-opacity",
        "stroke",
        "stroke-dasharray",
        "stroke-dashoffset",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-opacity",
        "stroke-width",
        "text-anchor",
        "text-decoration",
        "text-rendering",
        "unicode-bidi",
        "visibility",
        "word-spacing",
        "writing-mode",
    ]
)
_REF = re.compile(r"url\(#([^)]+)\)")


class SvgError(ValueError):
    """The SVG holds a style the page could not show (a property with no attribute form)."""


def _declarations(css: str) -> list[tuple[str, str]]:
    out = []
    for part in css.split(";"):
        if ":" in part:
            name, value = part.split(":", 1)
            out.append((name.strip(), value.strip()))
    return out


def _apply(element: ET.Element, css: str) -> None:
    for name, value in _declarations(css):
        if name not in PRESENTATION:
            raise SvgError(f"style property {name!r} has no SVG attribute form")
        element.set(name, value)


def inline_svg(document: str, prefix: str, label: str) -> str:
    """The SVG element of a matplotlib document, without inline CSS, with ids made unique by
    ``prefix`` and an accessible name ``label``; ready to place in HTML."""
    ET.register_namespace("", SVG_NS)
    ET.register_namespace("xlink", XLINK_NS)
    root = ET.fromstring(document)  # noqa: S314 - matplotlib's own output, never user input
    for parent in list(root.iter()):
        for child in list(parent):
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "metadata":
                parent.remove(child)
            elif tag == "style":
                for rule in re.findall(r"\*\s*\{([^}]*)\}", child.text or ""):
                    _apply(root, rule)
                parent.remove(child)
    href = f"{{{XLINK_NS}}}href"
    for element in root.iter():
        css = element.attrib.pop("style", None)
        if css is not None:
            _apply(element, css)
        if "id" in element.attrib:
            element.set("id", prefix + element.attrib["id"])
        for name in (href, "href"):
            value = element.get(name)
            if value is not None and value.startswith("#"):
                element.set(name, "#" + prefix + value[1:])
        for name, value in list(element.attrib.items()):
            if "url(#" in value:
                element.set(name, _REF.sub(lambda m: f"url(#{prefix}{m.group(1)})", value))
    for name in ("width", "height"):
        root.attrib.pop(name, None)
    root.set("class", "plot")
    root.set("role", "img")
    root.set("aria-label", label)
    title = ET.Element(f"{{{SVG_NS}}}title")
    title.text = label
    root.insert(0, title)
    return ET.tostring(root, encoding="unicode")
