"""Foundations: settings, database, errors, languages, security, time. Imports nothing else of the app."""
