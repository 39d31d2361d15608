package dev.tocsin.security.boundary;

import dev.tocsin.envelope.entity.ErrorCode;
import dev.tocsin.envelope.entity.ProtocolException;
import dev.tocsin.security.control.TokenVerifier;
import dev.tocsin.security.entity.Caller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** Reads {@code Authorization: Bearer <JWT>} for the REST API, with the same verifier as the WebSocket handshake. */
@ApplicationScoped
public class BearerToken {

    private static final String SCHEME = "Bearer ";

    @Inject
    TokenVerifier verifier;

    public Caller caller(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
            throw new ProtocolException(ErrorCode.AUTHENTICATION_FAILED, "an Authorization: Bearer token is required");
        }
        try {
            return verifier.verify(authorization.substring(SCHEME.length()).strip());
        } catch (TokenVerifier.InvalidTokenException e) {
            throw new ProtocolException(ErrorCode.AUTHENTICATION_FAILED, e.getMessage());
        }
    }
}
