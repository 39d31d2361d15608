package dev.tocsin.security.boundary;

import static dev.tocsin.envelope.control.JsonFactory.JSON;

import dev.tocsin.config.Settings;
import dev.tocsin.envelope.entity.ErrorCode;
import dev.tocsin.envelope.entity.ProtocolException;
import dev.tocsin.security.control.DemoIssuer;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * DEMO ONLY ({@code tocsin.demo.enabled=true}): {@code POST /api/demo/token} with
 * {@code {"user": "...", "groups": [...]}} returns a token for anyone who asks. 404 when disabled.
 */
@Path("demo/token")
public class DemoSignInResource {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,64}");

    public record SignIn(String user, List<String> groups) {
    }

    @Inject
    Optional<DemoIssuer> issuer;

    @Inject
    Settings settings;

    @POST
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    public JsonObject signIn(SignIn request) {
        DemoIssuer demo = issuer.orElseThrow(() -> new ProtocolException(ErrorCode.NOT_FOUND, "the demo sign-in is disabled"));
        if (request == null || request.user() == null || !NAME.matcher(request.user()).matches()) {
            throw new ProtocolException(ErrorCode.MALFORMED_REQUEST, "user must be 1 to 64 of A-Z a-z 0-9 . _ @ -");
        }
        List<String> groups = request.groups() == null ? List.of() : request.groups();
        if (groups.size() > 16 || !groups.stream().allMatch(g -> g != null && NAME.matcher(g).matches())) {
            throw new ProtocolException(ErrorCode.MALFORMED_REQUEST, "groups: at most 16 names of A-Z a-z 0-9 . _ @ -");
        }
        return JSON.createObjectBuilder()
                .add("token", demo.mint(request.user(), groups, settings.demoTokenTtl()))
                .add("expiresAt", Instant.now().plus(settings.demoTokenTtl()).toEpochMilli())
                .add("demo", true)
                .build();
    }
}
