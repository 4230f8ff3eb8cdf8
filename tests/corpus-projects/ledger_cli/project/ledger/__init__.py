"""Household ledger: read a bank export and reconcile it with the statement."""
