"""The words of SAML sign-in: the sign-in link, the refusal page and single logout.

Kept apart from `api.web.i18n`'s own table (which merges this one), like the partner pages'.
The refusal page is shown at `/saml/acs`, where the pages' language cookie does not reach
(it is scoped to `/ui`), so it shows its message in both languages.
"""

SAML_WORDS: dict[str, tuple[str, str]] = {
    "saml.sign_in": (
        "Log ind med din organisations login (SAML)",
        "Sign in with your organisation's login (SAML)",
    ),
    "saml.continue_title": ("Du er logget ind", "You are signed in"),
    "saml.continue": ("Fortsæt", "Continue"),
    "saml.post_title": ("Videre til log ind", "On to sign-in"),
    "saml.post_intro": (
        "Du sendes videre til din organisations login.",
        "You are sent on to your organisation's login.",
    ),
    "saml.refused_title": ("Du blev ikke logget ind", "You were not signed in"),
    "saml.try_again": ("Prøv igen", "Try again"),
    "saml.not_configured": (
        "Log ind med SAML er ikke sat op. Kontakt din administrator.",
        "Sign-in with SAML is not set up. Contact your administrator.",
    ),
    "saml.slo_offer": (
        "Du er logget ud her. Du er stadig logget ind hos din organisations login.",
        "You are signed out here. You are still signed in at your organisation's login.",
    ),
    "saml.slo_link": (
        "Log også ud hos din organisations login",
        "Also sign out at your organisation's login",
    ),
    # why a sign-in was refused (the audit event's reason)
    "saml.refused.bad_state": (
        "Svaret hører ikke til en igangværende log ind her, eller det er allerede brugt. "
        "Start forfra.",
        "The answer belongs to no sign-in in progress here, or it was used already. Start again.",
    ),
    "saml.refused.provider_error": (
        "Din organisations login afviste log ind.",
        "Your organisation's login refused the sign-in.",
    ),
    "saml.refused.invalid_signature": (
        "Svaret fra din organisations login var ikke underskrevet korrekt.",
        "The answer from your organisation's login was not signed correctly.",
    ),
    "saml.refused.expired": (
        "Svaret fra din organisations login er udløbet eller endnu ikke gyldigt. Start forfra.",
        "The answer from your organisation's login has expired or is not yet valid. Start again.",
    ),
    "saml.refused.wrong_audience": (
        "Svaret fra din organisations login var ikke til denne tjeneste.",
        "The answer from your organisation's login was not meant for this service.",
    ),
    "saml.refused.wrong_issuer": (
        "Svaret kom ikke fra den identitetsudbyder, tjenesten stoler på.",
        "The answer did not come from the identity provider this service trusts.",
    ),
    "saml.refused.replayed": (
        "Svaret er allerede brugt én gang. Start forfra.",
        "The answer was used once already. Start again.",
    ),
    "saml.refused.throttled": (
        "For mange mislykkede forsøg. Vent lidt, og prøv igen.",
        "Too many failed attempts. Wait a while and try again.",
    ),
    "saml.refused.invalid_token": (
        "Svaret fra din organisations login kunne ikke læses.",
        "The answer from your organisation's login could not be read.",
    ),
    "saml.refused.missing_claims": (
        "Din organisations login oplyste ikke din e-mailadresse.",
        "Your organisation's login did not give your email address.",
    ),
    "saml.refused.unknown_user": (
        "Du er ikke oprettet som bruger. Bed din administrator om en invitation.",
        "You are not a user here. Ask your administrator for an invitation.",
    ),
    "saml.refused.disabled_user": (
        "Din bruger er spærret. Kontakt din administrator.",
        "Your user is disabled. Contact your administrator.",
    ),
    "saml.refused.organisation_mismatch": (
        "Din organisations login nævner en anden organisation end din brugers.",
        "Your organisation's login names another organisation than your user's.",
    ),
    "saml.refused.unknown_organisation": (
        "Din organisation er ikke kendt her. Kontakt din administrator.",
        "Your organisation is not known here. Contact your administrator.",
    ),
    "saml.refused.no_role": (
        "Din organisations login gav dig ingen rolle, denne tjeneste kender.",
        "Your organisation's login gave you no role this service knows.",
    ),
}
