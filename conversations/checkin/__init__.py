"""'Close the loop': the check-in on the agreed follow-up date (booklet tip 10)."""
