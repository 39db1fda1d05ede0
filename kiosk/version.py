"""The product's version (one place: the package, the OpenAPI document and the wheel agree)."""

__version__ = "0.1.0"
