"""Practitioner tools: groups, parent links with QR codes, aims at a glance, stories, export."""
