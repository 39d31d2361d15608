package dev.tocsin.security.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.SignedJWT;
import dev.tocsin.security.control.TokenVerifier.InvalidTokenException;
import dev.tocsin.security.entity.Caller;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DemoIssuerTest {

    static final String ISSUER = "tocsin-demo";
    static final String AUDIENCE = "tocsin";

    static ECKey demoKey;

    @BeforeAll
    static void keys() throws JOSEException {
        demoKey = new ECKeyGenerator(Curve.P_256).keyID("demo").generate();
    }

    static TokenVerifier verifierFor(ECKey key, String audience) {
        return new TokenVerifier(TokenVerifierTest.publicSet(key), ISSUER, audience, "groups");
    }

    @Test
    void mintsATokenThatTheMatchingVerifierAccepts() {
        DemoIssuer issuer = new DemoIssuer(demoKey.toJSONString(), ISSUER, AUDIENCE, "groups");
        Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);

        String token = issuer.mint("alice", List.of("ops", "producers"), Duration.ofMinutes(10));
        Instant after = Instant.now();

        Caller caller = verifierFor(demoKey, AUDIENCE).verify(token);
        assertEquals("alice", caller.subject());
        assertEquals(Set.of("ops", "producers"), caller.groups());
        assertFalse(caller.expiresAt().isBefore(before.plus(Duration.ofMinutes(10))), caller.expiresAt().toString());
        assertFalse(caller.expiresAt().isAfter(after.plus(Duration.ofMinutes(10))), caller.expiresAt().toString());
    }

    @Test
    void mintsEs256WithTheKeysKidAndAFreshTokenId() throws ParseException {
        DemoIssuer issuer = new DemoIssuer(demoKey.toJSONString(), ISSUER, AUDIENCE, "groups");

        SignedJWT first = SignedJWT.parse(issuer.mint("alice", List.of(), Duration.ofMinutes(1)));
        SignedJWT second = SignedJWT.parse(issuer.mint("alice", List.of(), Duration.ofMinutes(1)));

        assertEquals(JWSAlgorithm.ES256, first.getHeader().getAlgorithm());
        assertEquals("demo", first.getHeader().getKeyID());
        assertEquals(List.of(AUDIENCE), first.getJWTClaimsSet().getAudience());
        assertEquals(ISSUER, first.getJWTClaimsSet().getIssuer());
        assertNotEquals(first.getJWTClaimsSet().getJWTID(), second.getJWTClaimsSet().getJWTID());
    }

    @Test
    void putsGroupsInTheConfiguredClaim() {
        DemoIssuer issuer = new DemoIssuer(demoKey.toJSONString(), ISSUER, AUDIENCE, "roles");

        Caller caller = new TokenVerifier(TokenVerifierTest.publicSet(demoKey), ISSUER, AUDIENCE, "roles")
                .verify(issuer.mint("alice", List.of("admins"), Duration.ofMinutes(1)));

        assertEquals(Set.of("admins"), caller.groups());
    }

    @Test
    void leavesTheAudienceOutWhenNoneIsConfigured() throws ParseException {
        for (String none : new String[] {null, "", " "}) {
            String token = new DemoIssuer(demoKey.toJSONString(), ISSUER, none, "groups").mint("alice", List.of(), Duration.ofMinutes(1));

            assertEquals(List.of(), SignedJWT.parse(token).getJWTClaimsSet().getAudience());
            assertEquals("alice", verifierFor(demoKey, null).verify(token).subject());
            assertThrows(InvalidTokenException.class, () -> verifierFor(demoKey, AUDIENCE).verify(token));
        }
    }

    @Test
    void aTokenFromAnotherDemoKeyIsRejected() throws JOSEException {
        ECKey other = new ECKeyGenerator(Curve.P_256).keyID("demo").generate();
        String token = new DemoIssuer(other.toJSONString(), ISSUER, AUDIENCE, "groups").mint("alice", List.of(), Duration.ofMinutes(1));

        assertThrows(InvalidTokenException.class, () -> verifierFor(demoKey, AUDIENCE).verify(token));
    }

    @Test
    void aTokenMintedWithANegativeLifetimeIsAlreadyExpired() {
        String token = new DemoIssuer(demoKey.toJSONString(), ISSUER, AUDIENCE, "groups").mint("alice", List.of(), Duration.ofMinutes(-5));

        assertThrows(InvalidTokenException.class, () -> verifierFor(demoKey, AUDIENCE).verify(token));
    }

    @Test
    void rejectsAKeyThatIsNotAJwk() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DemoIssuer("not a key", ISSUER, AUDIENCE, "groups"));
        assertTrue(e.getMessage().contains("EC JWK"), e.getMessage());
    }

    @Test
    void rejectsAJwkThatIsNotAnEcKey() throws JOSEException {
        String rsa = new RSAKeyGenerator(2048).keyID("demo").generate().toJSONString();

        assertThrows(IllegalArgumentException.class, () -> new DemoIssuer(rsa, ISSUER, AUDIENCE, "groups"));
    }
}
