"""Which identity providers the sign-in page offers, and signing out of them (issue 16).

Kept apart from the protocols' pages so that the sign-in page (`api.web.auth`) can ask without
importing them. A protocol that is configured adds its button in `login_choices`.
"""

from urllib.parse import urlencode

from fastapi.responses import RedirectResponse

from api.web.render import WEB_PREFIX, see_other
from workflow.access.oidc import OidcConfig, config_from, provider_metadata
from workflow.access.sign_in import SignInRefused
from workflow.core.settings import get_settings
from workflow.models import SignInMethod


def oidc_config() -> OidcConfig | None:
    """The configured OpenID provider, or None (then the OIDC pages answer 404)."""
    return config_from(get_settings())


def login_choices() -> list[dict[str, str]]:
    """The identity providers the sign-in page offers: an id, a label and an address each."""
    choices: list[dict[str, str]] = []
    if oidc_config() is not None:
        choices.append(
            {"id": "oidc", "label": get_settings().oidc_name, "href": f"{WEB_PREFIX}/login/oidc"}
        )
    return choices


def provider_logout_url(via: str) -> str | None:
    """The identity provider's own logout for a session that signed in `via` it, when the
    provider has one (OpenID Connect RP-initiated logout: `end_session_endpoint`)."""
    config = oidc_config()
    if via != SignInMethod.OIDC.value or config is None:
        return None
    try:
        metadata = provider_metadata(config)
    except SignInRefused:
        return None
    if not metadata.end_session_endpoint:
        return None
    back = config.redirect_uri.removesuffix("/oidc/callback") + "?out=1"
    query = urlencode({"client_id": config.client_id, "post_logout_redirect_uri": back})
    return f"{metadata.end_session_endpoint}?{query}"


def after_logout(via: str | None) -> RedirectResponse:
    """Where signing out leads: the sign-in page, which offers the provider's logout too when
    the session came from one."""
    out = via if via and provider_logout_url(via) else "1"
    return see_other(f"/login?out={out}")
