"""The aim conversation: the booklet's Joe dialogue as a flow (see flow.mmd)."""
