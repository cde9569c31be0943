"""Reading a share strictly: its shape, its digest, and whether shares may be pooled together.

Every problem is named by its JSON path (``blocks.relief.scn[2]: ...``). A share with an unknown
member, a count that is not a whole number, a life table whose numbers at risk do not add up, or
a digest that does not match its content is refused; so are shares made with different
definitions, the same share twice, and two shares of one installation.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cluneal.knowledge import vocabulary as v
from cluneal.registry import blocks, comparison, flow, survival
from cluneal.registry.cohort import INSTRUMENTS
from cluneal.registry.network import share as sh
from cluneal.registry.network.reader import Reader, whole

#: The largest share read (bytes); a share of 100,000 patients is a few hundred kilobytes.
MAX_BYTES = 5_000_000


class ShareError(ValueError):
    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class Share:
    """A share that passed every check; ``data`` is its JSON, ``name`` where it came from."""

    data: Mapping[str, Any]
    name: str

    @property
    def label(self) -> str:
        return str(self.data["installation"])

    @property
    def digest(self) -> str:
        return str(self.data["digest"])

    @property
    def min_cell(self) -> int:
        return int(self.data["min_cell"])


def parse(content: bytes, name: str) -> Share:
    """Read one share from the bytes of a file named ``name``; raises :class:`ShareError`."""
    if len(content) > MAX_BYTES:
        raise ShareError([f"{name}: larger than {MAX_BYTES:,} bytes"])
    try:
        data = json.loads(content.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ShareError([f"{name}: not a JSON file ({exc})"]) from None
    return read(data, name)


def read(data: Any, name: str) -> Share:
    if not isinstance(data, dict):
        raise ShareError([f"{name}: a share is a JSON object"])
    if data.get("format") != sh.FORMAT:
        raise ShareError([f"{name}: format: must be {sh.FORMAT!r}, not {data.get('format')!r}"])
    min_cell = data.get("min_cell")
    if not isinstance(min_cell, int) or not whole(min_cell) or min_cell > 1000:
        raise ShareError([f"{name}: min_cell: must be a whole number from 0 to 1000"])
    r = Reader(min_cell)
    top = r.obj(data, "", sh.TOP_KEYS)
    if top is not None:
        _contents(r, top)
    if not r.problems and data["digest"] != sh.digest(data):
        r.fail("digest", "does not match the content: the share was changed after it was made")
    if r.problems:
        raise ShareError([f"{name}: {p}" for p in r.problems])
    return Share(data, name)


def _contents(r: Reader, d: Mapping[str, Any]) -> None:
    r.text(d["installation"], "installation")
    if not (isinstance(d["digest"], str) and d["digest"].startswith("sha256:")):
        r.fail("digest", "must be 'sha256:' and 64 hex digits")
    made = r.obj(d["made_with"], "made_with", ("cluneal", "knowledge_pack", "block_definition"))
    if made is not None:
        r.text(made["cluneal"], "made_with.cluneal", 50)
        r.text(made["block_definition"], "made_with.block_definition")
        pack = r.obj(made["knowledge_pack"], "made_with.knowledge_pack", ("name", "version"))
        if pack is not None:
            r.text(pack["name"], "made_with.knowledge_pack.name")
            r.text(pack["version"], "made_with.knowledge_pack.version", 50)
    _definitions(r, d["definitions"])
    period = r.obj(d["period"], "period", ("from", "to"))
    if period is not None:
        for key in ("from", "to"):
            if period[key] is not None and not _is_date(period[key]):
                r.fail(f"period.{key}", "must be a date YYYY-MM-DD or null")
    r.count(d["patients"], "patients")
    for g, steps in r.each(d["flow"], "flow", flow.GROUPS, sh.FLOW_KEYS):
        for k in sh.FLOW_KEYS:
            r.count(steps[k], f"flow.{g}.{k}")
    _blocks(r, d["blocks"], d["definitions"])
    _recurrence(r, d["recurrence"])
    _surgery(r, d["surgery_by_relief"])
    qs = r.obj(d["questionnaires"], "questionnaires", INSTRUMENTS)
    if qs is not None:
        for i in INSTRUMENTS:
            _change(r, qs[i], f"questionnaires.{i}")


def _is_date(value: Any) -> bool:
    import datetime as dt

    if not isinstance(value, str) or len(value) != 10:
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _definitions(r: Reader, value: Any) -> None:
    d = r.obj(value, "definitions", sh.DEFINITION_KEYS)
    if d is None:
        return
    r.text(d["analyses"], "definitions.analyses")
    path = "definitions.block_definition"
    bd = r.obj(d["block_definition"], path, sh.BLOCK_DEFINITION_KEYS)
    if bd is not None:
        r.text(bd["id"], f"{path}.id")
        r.number(bd["min_relief_percent"], f"{path}.min_relief_percent")
        if not isinstance(bd["inclusive"], bool):
            r.fail(f"{path}.inclusive", "must be true or false")
        for key in ("min_minutes_after", "max_minutes_after"):
            r.number(bd[key], f"{path}.{key}", nullable=True)
    r.number(d["favourable_relief_days"], "definitions.favourable_relief_days", low=0.1, high=365)
    for key in ("scn_window_mm", "mcn_window_mm"):
        window = d[key]
        if not isinstance(window, list) or len(window) != 2:
            r.fail(f"definitions.{key}", "must be [lowest, highest] in mm")
        else:
            for k, x in enumerate(window):
                r.number(x, f"definitions.{key}[{k}]")
    for i, mic in r.each(d["mic"], "definitions.mic", INSTRUMENTS, ("points", "percent")):
        for key in ("points", "percent"):
            r.number(mic[key], f"definitions.mic.{i}.{key}")


def _blocks(r: Reader, value: Any, definitions: Any) -> None:
    b = r.obj(value, "blocks", sh.BLOCK_KEYS)
    if b is None:
        return
    try:
        n_bins = len(blocks.duration_bins(float(definitions["favourable_relief_days"])))
    except (TypeError, ValueError, KeyError):
        n_bins = 0
    for key, length in (
        ("relief", len(blocks.RELIEF_BINS)),
        ("durations", n_bins),
        ("still_relieved", n_bins),
    ):
        per = r.obj(b[key], f"blocks.{key}", v.NERVES)
        if per is not None:
            for n in v.NERVES:
                r.counts(per[n], f"blocks.{key}.{n}", length)
    for key in ("relief_undefined", "duration_missing"):
        per = r.obj(b[key], f"blocks.{key}", v.NERVES)
        if per is not None:
            for n in v.NERVES:
                r.count(per[n], f"blocks.{key}.{n}")
    for n, k in r.each(b["kuniya"], "blocks.kuniya", v.NERVES, sh.KUNIYA_KEYS):
        blocked = r.count(k["blocked"], f"blocks.kuniya.{n}.blocked")
        for key in sh.KUNIYA_KEYS[1:]:
            found = r.count(k[key], f"blocks.kuniya.{n}.{key}")
            if found is not None and blocked is not None and found > blocked:
                r.fail(f"blocks.kuniya.{n}.{key}", f"more than the {blocked} blocked")


def _excluded(r: Reader, value: Any, path: str, reasons: Sequence[str]) -> None:
    if not isinstance(value, dict):
        r.fail(path, "must be an object")
        return
    for reason, n in value.items():
        if reason not in reasons:
            r.fail(f"{path}.{reason}", "unknown reason; known: " + "; ".join(reasons))
        else:
            r.count(n, f"{path}.{reason}")


def _recurrence(r: Reader, value: Any) -> None:
    keys = ("unit", "nerve_sides", "life_table", "excluded")
    for kind, c in r.each(value, "recurrence", survival.KINDS, keys):
        path = f"recurrence.{kind}"
        if c["unit"] != survival.UNITS[kind]:
            r.fail(f"{path}.unit", f"must be {survival.UNITS[kind]!r}")
        n = r.count(c["nerve_sides"], f"{path}.nerve_sides")
        _excluded(r, c["excluded"], f"{path}.excluded", survival.EXCLUSIONS[kind])
        if c["life_table"] is None:
            if n is not None and n > 0 and n >= r.min_cell:
                r.fail(f"{path}.life_table", f"missing although {n} nerve-sides are shared")
            continue
        _life_table(r, c["life_table"], f"{path}.life_table", n)


def _life_table(r: Reader, rows: Any, path: str, n: int | None) -> None:
    """Rows (time, at risk, events, censored): times rising, each row's at risk the previous
    row's less its events and censored, the last row emptying the table."""
    if not isinstance(rows, list):
        r.fail(path, "must be a list of [time, at risk, events, censored] or null")
        return
    previous: tuple[float, int] | None = None
    for i, row in enumerate(rows):
        where = f"{path}[{i}]"
        if not (isinstance(row, list) and len(row) == 4 and all(whole(x) for x in row[1:])):
            r.fail(where, "must be [time, at risk, events, censored] with whole counts")
            return
        time = r.number(row[0], f"{where}[0]", low=0, high=1e6)
        if time is None:
            return
        at_risk, events, censored = row[1:]
        if events + censored == 0 or events + censored > at_risk:
            r.fail(where, "events and censored must be at least 1 and at most the number at risk")
            return
        if previous is not None and (time <= previous[0] or at_risk != previous[1]):
            r.fail(where, "times must rise and the number at risk follow from the row before")
            return
        if i == 0 and n is not None and at_risk != n:
            r.fail(where, f"the number at risk must be nerve_sides ({n})")
            return
        previous = (time, at_risk - events - censored)
    if previous is not None and previous[1] != 0:
        r.fail(path, "the last row must leave no one at risk")
    if previous is None and n:
        r.fail(path, f"empty, but nerve_sides is {n}")


def _surgery(r: Reader, value: Any) -> None:
    e6 = r.obj(value, "surgery_by_relief", ("cells", "excluded"))
    if e6 is None:
        return
    cells = r.obj(e6["cells"], "surgery_by_relief.cells", sh.E6_CELLS)
    if cells is not None:
        for key in sh.E6_CELLS:
            r.count(cells[key], f"surgery_by_relief.cells.{key}")
    _excluded(r, e6["excluded"], "surgery_by_relief.excluded", comparison.EXCLUSIONS)


def _change(r: Reader, value: Any, path: str) -> None:
    q = r.obj(value, path, (*sh.QUESTIONNAIRE_COUNTS, *sh.QUESTIONNAIRE_STATS))
    if q is None:
        return
    n = r.count(q["patients"], f"{path}.patients")
    for key in sh.QUESTIONNAIRE_COUNTS[1:]:
        k = r.count(q[key], f"{path}.{key}")
        if k is not None and n is not None and k > n:
            r.fail(f"{path}.{key}", f"more than the {n} patients")
    for key in sh.QUESTIONNAIRE_STATS:
        low = 0.0 if key == "change_sd" else -1e6
        value_ = r.number(q[key], f"{path}.{key}", nullable=True, low=low, high=1e6)
        needed = n is not None and (n >= 2 if key == "change_sd" else n >= 1)
        if needed and value_ is None:
            r.fail(f"{path}.{key}", f"missing for {n} patients")
        if n is None and value_ is not None:
            r.fail(f"{path}.{key}", "must be null when the number of patients is withheld")


def compatible(shares: Sequence[Share]) -> None:
    """Refuse shares that cannot be pooled: other definitions, a share given twice, two shares
    of one installation (their patients would count twice)."""
    problems: list[str] = []
    if not shares:
        problems.append("no share given")
    first = shares[0] if shares else None
    seen: dict[str, Share] = {}
    labels: dict[str, Share] = {}
    for s in shares:
        if first is not None and s is not first:
            for key in sh.DEFINITION_KEYS:
                mine, theirs = s.data["definitions"][key], first.data["definitions"][key]
                if mine != theirs:
                    problems.append(
                        f"{s.name}: definitions.{key} is {json.dumps(mine)}, but {first.name} "
                        f"has {json.dumps(theirs)}: shares made with different definitions "
                        "cannot be pooled"
                    )
        if s.digest in seen:
            problems.append(f"{s.name}: the same share as {seen[s.digest].name}")
        elif s.label in labels:
            problems.append(
                f"{s.name}: a second share of installation {s.label!r} (also "
                f"{labels[s.label].name}); pool one share per installation"
            )
        seen.setdefault(s.digest, s)
        labels.setdefault(s.label, s)
    if problems:
        raise ShareError(problems)
