"""A simulated 渝快办 (Chongqing government service portal) for the demo and the tests.

It speaks OpenID Connect (discovery, authorize, token, userinfo, JWKS, signed ID tokens), simulates a
face-verification provider and a software identity lock. Production settings refuse it.
"""
