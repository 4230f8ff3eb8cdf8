"""Weekly sales report for the regional managers."""
