"""The registry network: aggregate-only shares of one installation, and their pooling.

A *share* (:mod:`.share`) holds the counts, life tables and summary statistics that the pooled
analyses need and nothing about any one patient. :mod:`.check` reads a share strictly (shape,
digest, definitions), :mod:`.pool` combines many (sums, random-effects meta-analysis,
Kaplan-Meier of the merged life tables, Mantel-Haenszel), and :mod:`.report` turns the result
into the registry's tables and figures. Definitions and assumptions: docs/registry-network.md.
"""
