"""Annuity loans: payments, amortisation schedules and the rate a payment implies."""
