"""The Django project: the only package that imports Django."""
