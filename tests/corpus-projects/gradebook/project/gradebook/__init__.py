"""Course grades: weighted averages per student and letter grades."""
