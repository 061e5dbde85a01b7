"""Data shipped with the package: the policy packs (``rules/``) and templates (``templates/``).

In a source checkout they are the top-level folders; in an installed wheel they
are mapped into this package (see ``[tool.setuptools.package-dir]``).
"""
