"""Interoperability: JSON Schema for the formats, FHIR R4 and CDS Hooks mapping (pure)."""
