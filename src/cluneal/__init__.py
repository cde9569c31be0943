"""Cluneal: decision support for superior and middle cluneal nerve entrapment."""
