package dev.tocsin.envelope.boundary;

import dev.tocsin.envelope.control.EnvelopeSigner;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/** {@code GET /api/keys}: the public JWK set that verifies server frames (all keys in rotation). */
@Path("keys")
public class KeysResource {

    @Inject
    EnvelopeSigner signer;

    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public String keys() {
        return signer.keys().publicJwks();
    }
}
