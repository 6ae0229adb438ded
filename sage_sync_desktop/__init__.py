"""Sage Sync Desktop: Sage 300 CRE prime contracts into Procore, one way."""

__version__ = "0.1.0"
