"""The need catalogue: municipalities share their needs and find each other's (issue 17)."""
