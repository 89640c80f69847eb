"""Clinic registry import, one step a module (see registry_import for the whole)."""
