"""Ascolto: social listening and complaint alerting."""

__version__ = "0.1.0"
