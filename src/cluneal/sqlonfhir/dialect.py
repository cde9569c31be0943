"""What differs between DuckDB SQL and Spark SQL, behind one interface (:mod:`.duckdb_sql`,
:mod:`.spark_sql`).

Lists are the engines' native lists: DuckDB's ``list_*`` functions with ``lambda x: ...`` and
Spark's higher-order functions with ``x -> ...``. Every list expression given to these methods is
non-NULL unless said otherwise.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from .sqltypes import Kind, SqlType


class Dialect(ABC):
    name: str
    _PRIMS: dict[Kind, str]

    # Literals, names and types.

    @abstractmethod
    def string(self, value: str) -> str: ...

    @abstractmethod
    def ident(self, name: str) -> str: ...

    @abstractmethod
    def type(self, sql_type: SqlType) -> str: ...

    def prim(self, kind: Kind) -> str:
        return self._PRIMS[kind]

    def null(self, kind: Kind) -> str:
        return f"CAST(NULL AS {self.prim(kind)})"

    def cast(self, sql: str, kind: Kind) -> str:
        return f"TRY_CAST({sql} AS {self.prim(kind)})"

    def convert(self, sql: str, kind: Kind) -> str:
        """A cast that cannot fail (between integer kinds)."""
        return f"CAST({sql} AS {self.prim(kind)})"

    def empty(self, list_type: SqlType) -> str:
        return f"CAST({self.array([])} AS {self.type(list_type)})"

    def coalesce_list(self, lst: str) -> str:
        """``lst``, or the empty list when it is NULL."""
        return f"coalesce({lst}, {self.array([])})"

    def field(self, sql: str, name: str) -> str:
        return f"({sql}).{self.ident(name)}"

    @abstractmethod
    def struct(self, fields: list[tuple[str, str]]) -> str: ...

    @abstractmethod
    def parse_json(self, sql: str, struct: SqlType) -> str:
        """JSON text parsed into ``struct``; values of other types become NULL."""

    @abstractmethod
    def error(self, message: str) -> str: ...

    # Lists.

    @abstractmethod
    def array(self, items: list[str]) -> str: ...

    @abstractmethod
    def transform(self, lst: str, var: str, body: str, index: str | None = None) -> str:
        """``body`` for each item ``var``; ``index`` names the position (see :meth:`position`)."""

    @abstractmethod
    def position(self, index: str) -> str:
        """The 0-based position that a ``transform`` index variable stands for."""

    @abstractmethod
    def filter(self, lst: str, var: str, cond: str) -> str: ...

    @abstractmethod
    def flatten(self, lst: str) -> str:
        """A list of lists (none NULL) made one list."""

    @abstractmethod
    def size(self, lst: str) -> str: ...

    @abstractmethod
    def item(self, lst: str, index: str) -> str:
        """The item at 0-based ``index`` (an expression); NULL past the end."""

    @abstractmethod
    def last(self, lst: str) -> str: ...

    @abstractmethod
    def concat(self, lists: list[str]) -> str: ...

    @abstractmethod
    def join(self, lst: str, separator: str) -> str: ...

    @abstractmethod
    def sort(self, lst: str) -> str: ...

    @abstractmethod
    def iterate(self, times: str, init: str, state_type: SqlType, var: str, step: str) -> str:
        """``step`` applied ``times`` (at least 1) times to ``init``; ``var`` names the state."""

    def once(self, sql: str) -> str:
        """``sql`` as a SELECT item that the optimiser will not copy into each reference."""
        return sql

    @abstractmethod
    def explode(self, lst: str) -> str:
        """A SELECT item giving one row for each item of ``lst``."""

    # Scalars.

    @abstractmethod
    def epoch_ms(self, sql: str) -> str:
        """Milliseconds since 1970 of an ISO date-time with a zone; NULL if unreadable."""

    @abstractmethod
    def last_day(self, sql: str) -> str:
        """The last day of the month of the date ``YYYY-MM-DD`` ``sql``, as such a string."""

    @abstractmethod
    def int_div(self, left: str, right: str) -> str: ...

    @abstractmethod
    def compact(self, lst: str) -> str:
        """``lst`` without its NULL items."""

    @abstractmethod
    def count_nonnull(self, lst: str) -> str: ...

    @abstractmethod
    def first_nonnull(self, lst: str) -> str: ...

    # Raw JSON values, for :mod:`.validate`: a value is JSON text (DuckDB) or a VARIANT (Spark).

    @abstractmethod
    def raw_fields(self, sql: str, keys: list[str], *, top: bool) -> str:
        """A struct of the raw values at ``keys`` of the JSON object ``sql`` (``top``: the
        resource's text, parsed here); fields are NULL when absent or when ``sql`` is no object."""

    @abstractmethod
    def raw_is(self, sql: str, json_kind: str) -> str:
        """Whether the raw value (not NULL) is an ``object``, ``array``, ``string``, ``boolean``,
        ``integer`` (a JSON number without fraction or exponent) or ``number``."""

    @abstractmethod
    def raw_absent(self, sql: str) -> str:
        """Whether the raw value is absent or JSON ``null``."""

    @abstractmethod
    def raw_items(self, sql: str) -> str:
        """The items of a raw JSON array, raw."""

    @abstractmethod
    def raw_string(self, sql: str) -> str:
        """The text of a raw JSON string."""

    @abstractmethod
    def raw_integer(self, sql: str) -> str:
        """A raw JSON integer as a 64-bit integer (NULL beyond)."""

    @abstractmethod
    def full_match(self, sql: str, pattern: str) -> str:
        """Whether the whole string matches ``pattern`` (a regular expression of ASCII classes)."""

    @abstractmethod
    def all_items(self, lst: str, var: str, cond: str) -> str:
        """Whether ``cond`` (never NULL) holds for every item ``var``; true for no item."""

    @abstractmethod
    def bind(self, value: str, var: str, body: str) -> str:
        """``body`` with ``var`` standing for ``value``, which is computed once."""
