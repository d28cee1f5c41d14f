"""Single sign-on for integrated systems: the platform as an OpenID Connect provider.

The protocol is django-oauth-toolkit's (oauthlib underneath): authorization code with PKCE,
refresh tokens, client credentials, RP-initiated logout, discovery and JWKS. This package adds
what is the platform's own: the signing keys under ZT_VAR_DIR and their rotation (``keys``), the
claims of the person's departments, posts and roles (``claims``), the checks and audit records
around every token (``validator``), the consent page and sign-out (``views``), the back office's
registration of relying parties (``admin``, ``services``) and back-channel logout (``backchannel``). docs/sso.md says how a system uses it.
"""
