"""Documents on the pages: the list, the upload form and downloads (issue 19)."""
