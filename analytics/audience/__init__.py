"""Audience demographics of connected accounts (specs/analytics.md, "Audience and mentions"):
`services` fetches and stores them daily, `queries` reads them for the page and the API."""
