"""The shared core: what every app may use and which uses none of them (the audit log, the
admin's base classes). The bottom layer of the import contract in pyproject.toml."""
