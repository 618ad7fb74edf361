"""Kantor: an online currency-exchange platform (kantor internetowy)."""

__version__ = "0.1.0"
