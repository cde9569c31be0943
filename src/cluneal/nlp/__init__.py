"""Finding cluneal-relevant concepts in clinical notes (medspaCy).

The pipeline lives in :mod:`cluneal.nlp.pipeline` (``find``), built from the knowledge pack's
``lexicon`` section (:mod:`cluneal.knowledge.lexicon`); this package imports nothing heavy
itself, so that importing it costs nothing until a note is read.
"""
