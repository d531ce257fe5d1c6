"""rxquote: answers questions about medicines by quoting monographs verbatim."""

__version__ = "0.1.0"
