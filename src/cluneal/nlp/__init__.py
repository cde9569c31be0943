"""Finding cluneal-relevant concepts in clinical notes (medspaCy).

The pipeline lives in :mod:`cluneal.nlp.pipeline` (``find``); this package imports nothing
heavy itself, so that the knowledge loader can read the lexicon through
:mod:`cluneal.nlp.lexicon` without importing spaCy.
"""
