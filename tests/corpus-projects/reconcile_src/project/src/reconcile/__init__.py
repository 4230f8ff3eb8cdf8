"""Match bank payments to open invoices by reference and amount."""
