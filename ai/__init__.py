"""AI library: classify a post against a taxonomy with an OpenAI-compatible model.

Knows nothing of our models: it takes and returns plain dataclasses (see `classify`).
"""
