"""The reports domain's services: filters, the reports, exports, saved reports, the dashboard."""
