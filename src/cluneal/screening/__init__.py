"""Population screening of FHIR Bulk Data: views, features, engines (DuckDB, Spark)."""
