"""Progressive income tax from bracket tables, for the payroll estimator."""
