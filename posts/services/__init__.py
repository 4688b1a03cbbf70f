"""Writes and rules on posts, one module per workflow: adding, refresh, detection,
classification (with classifier, the calls to the AI library), trials."""
