"""The public calculator: no login, nothing stored."""
