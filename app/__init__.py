"""Barnrättsbanken: Sweden's shared knowledge bank of worked examples of child-rights innovations."""

__version__ = "0.1.0"
