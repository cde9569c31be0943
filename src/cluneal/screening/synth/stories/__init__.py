"""The event histories planted for each kind of patient (see :mod:`..kinds`): the cluneal-like
ones in :mod:`.planted`, the near misses in :mod:`.near_misses`, and those with a red flag in
:mod:`.red_flags`, all built of the pieces in :mod:`.pieces`.

Days count back from the screening date; every history ends at least two days before it. Each
story returns the truth's one-line description and whether the record names the cluneal nerves
only in a note.
"""
