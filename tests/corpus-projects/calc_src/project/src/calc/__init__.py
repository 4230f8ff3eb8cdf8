"""A safe arithmetic expression evaluator for spreadsheet-like formulas."""
