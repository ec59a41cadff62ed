"""Family: notes between practitioners and parents, songs from home, several carers."""
