"""Clinic registry import, one step a module; importer.py ties them together."""
