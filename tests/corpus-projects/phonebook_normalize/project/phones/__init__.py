"""Normalise phone numbers typed into the CRM to E.164."""
