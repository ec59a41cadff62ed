"""Pieces shared by every flow: text packing, keyboards, filters, safeguarding response."""
