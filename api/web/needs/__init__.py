"""The need catalogue ("Behovskatalog") and one need with its similar needs."""
