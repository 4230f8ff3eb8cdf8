"""Scale recipes to a number of servings and print readable amounts."""
