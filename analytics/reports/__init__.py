"""PDF reports (`specs/analytics.md`): what a report is about (scope), the figures it shows
(`analytics.queries`), how it is rendered (render), and the services that create, render, retry, delete and
schedule reports (services)."""
