"""One module per exercise: what it measures, which faults it judges, and its phases."""
