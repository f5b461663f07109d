"""Who signs in to the pages: single sign-on with OpenID Connect, the identity providers the
sign-in page offers, and the administrators' users page."""
