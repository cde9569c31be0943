"""Registry analytics: cohort flow, block response, survival and outcome change (pure Python)."""
