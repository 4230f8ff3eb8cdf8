"""Low-stock alerts and purchase orders for the corner shop."""
