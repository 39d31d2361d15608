package dev.tocsin.security.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import dev.tocsin.security.control.TokenVerifier.InvalidTokenException;
import dev.tocsin.security.entity.Caller;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class TokenVerifierTest {

    static final String ISSUER = "https://idp.example";
    static final String AUDIENCE = "tocsin";
    static final String GROUPS = "groups";

    static ECKey signingKey;

    @BeforeAll
    static void keys() throws JOSEException {
        signingKey = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();
    }

    static String publicSet(JWK... keys) {
        return new JWKSet(List.of(keys)).toPublicJWKSet().toString();
    }

    static TokenVerifier verifier() {
        return new TokenVerifier(publicSet(signingKey), ISSUER, AUDIENCE, GROUPS);
    }

    static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.SECONDS);
    }

    static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder()
                .subject("alice")
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .issueTime(Date.from(now()))
                .expirationTime(Date.from(now().plus(Duration.ofMinutes(5))))
                .claim(GROUPS, List.of("ops", "producers"));
    }

    static String es256(JWTClaimsSet.Builder claims) {
        return sign(signingKey, JWSAlgorithm.ES256, claims);
    }

    static String sign(JWK key, JWSAlgorithm algorithm, JWTClaimsSet.Builder claims) {
        try {
            JWSSigner signer = key instanceof RSAKey rsa ? new RSASSASigner(rsa) : new ECDSASigner(key.toECKey());
            SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(algorithm).keyID(key.getKeyID()).build(), claims.build());
            jwt.sign(signer);
            return jwt.serialize();
        } catch (JOSEException e) {
            throw new AssertionError(e);
        }
    }

    static void assertRejected(TokenVerifier verifier, String token) {
        InvalidTokenException e = assertThrows(InvalidTokenException.class, () -> verifier.verify(token));
        assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), "a reason for the caller");
    }

    @Test
    void aValidTokenYieldsItsSubjectGroupsAndExpiry() {
        Instant expiry = now().plus(Duration.ofMinutes(5));

        Caller caller = verifier().verify(es256(claims().expirationTime(Date.from(expiry))));

        assertEquals("alice", caller.subject());
        assertEquals(Set.of("ops", "producers"), caller.groups());
        assertEquals(expiry, caller.expiresAt());
    }

    @Test
    void readsASingleStringGroupsClaimAsOneGroup() {
        assertEquals(Set.of("ops"), verifier().verify(es256(claims().claim(GROUPS, "ops"))).groups());
    }

    @Test
    void readsAMissingGroupsClaimAsNoGroups() {
        assertEquals(Set.of(), verifier().verify(es256(claims().claim(GROUPS, null))).groups());
    }

    @Test
    void collapsesRepeatedGroups() {
        assertEquals(Set.of("ops"), verifier().verify(es256(claims().claim(GROUPS, List.of("ops", "ops")))).groups());
    }

    @Test
    void readsGroupsFromTheConfiguredClaim() {
        TokenVerifier rolesVerifier = new TokenVerifier(publicSet(signingKey), ISSUER, AUDIENCE, "roles");

        Caller caller = rolesVerifier.verify(es256(claims().claim("roles", List.of("admins"))));

        assertEquals(Set.of("admins"), caller.groups());
    }

    @Test
    void rejectsAGroupsClaimThatIsNeitherAStringNorAListOfStrings() {
        assertRejected(verifier(), es256(claims().claim(GROUPS, 7)));
        assertRejected(verifier(), es256(claims().claim(GROUPS, List.of("ops", 7))));
    }

    @Test
    void explainsAMalformedGroupsClaimRatherThanCallingTheTokenNotAJwt() {
        InvalidTokenException e = assertThrows(InvalidTokenException.class, () -> verifier().verify(es256(claims().claim(GROUPS, 7))));

        assertNotEquals("not a JWT", e.getMessage());
    }

    @Test
    void rejectsAnExpiredToken() {
        assertRejected(verifier(), es256(claims().expirationTime(Date.from(now().minus(Duration.ofMinutes(5))))));
    }

    @Test
    void toleratesAMinuteOfClockSkewOnExpiry() {
        Caller caller = verifier().verify(es256(claims().expirationTime(Date.from(now().minusSeconds(30)))));

        assertEquals("alice", caller.subject());
        assertRejected(verifier(), es256(claims().expirationTime(Date.from(now().minusSeconds(120)))));
    }

    @Test
    void rejectsATokenNotYetValid() {
        assertRejected(verifier(), es256(claims().notBeforeTime(Date.from(now().plus(Duration.ofMinutes(5))))));
    }

    @Test
    void rejectsAWrongOrMissingIssuer() {
        assertRejected(verifier(), es256(claims().issuer("https://evil.example")));
        assertRejected(verifier(), es256(claims().issuer(null)));
    }

    @Test
    void acceptsAnyIssuerWhenNoneIsConfigured() {
        for (String none : new String[] {null, "", " "}) {
            TokenVerifier anyIssuer = new TokenVerifier(publicSet(signingKey), none, AUDIENCE, GROUPS);

            assertEquals("alice", anyIssuer.verify(es256(claims().issuer("https://other.example"))).subject());
        }
    }

    @Test
    void rejectsAWrongOrMissingAudienceWhenOneIsConfigured() {
        assertRejected(verifier(), es256(claims().audience("other-service")));
        assertRejected(verifier(), es256(claims().audience((String) null)));
    }

    @Test
    void acceptsATokenWhoseAudiencesIncludeTheConfiguredOne() {
        assertEquals("alice", verifier().verify(es256(claims().audience(List.of("other-service", AUDIENCE)))).subject());
    }

    @Test
    void acceptsAnyOrNoAudienceWhenNoneIsConfigured() {
        for (String none : new String[] {null, "", " "}) {
            TokenVerifier anyAudience = new TokenVerifier(publicSet(signingKey), ISSUER, none, GROUPS);

            assertEquals("alice", anyAudience.verify(es256(claims().audience("other-service"))).subject());
            assertEquals("alice", anyAudience.verify(es256(claims().audience((String) null))).subject());
        }
    }

    @Test
    void rejectsATokenSignedWithAnotherKeyUnderTheSameKid() throws JOSEException {
        ECKey impostor = new ECKeyGenerator(Curve.P_256).keyID("k1").generate();

        assertRejected(verifier(), sign(impostor, JWSAlgorithm.ES256, claims()));
    }

    @Test
    void rejectsATokenSignedWithAKeyThatIsNotInTheSet() throws JOSEException {
        ECKey stranger = new ECKeyGenerator(Curve.P_256).keyID("k2").generate();

        assertRejected(verifier(), sign(stranger, JWSAlgorithm.ES256, claims()));
    }

    @Test
    void rejectsATokenWhoseSignatureWasAltered() {
        String token = es256(claims());
        String[] parts = token.split("\\.");
        String otherClaims = es256(claims().subject("mallory")).split("\\.")[1];

        assertRejected(verifier(), parts[0] + "." + otherClaims + "." + parts[2]);
    }

    @Test
    void rejectsAnUnsecuredAlgNoneToken() {
        assertRejected(verifier(), new PlainJWT(claims().build()).serialize());
    }

    @Test
    void rejectsAnHmacTokenWhateverItsSecret() throws JOSEException {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("k1").build(), claims().build());
        jwt.sign(new MACSigner(secret));

        assertRejected(verifier(), jwt.serialize());
    }

    @Test
    void acceptsTheDocumentedAsymmetricAlgorithms() throws JOSEException {
        ECKey p384 = new ECKeyGenerator(Curve.P_384).keyID("p384").generate();
        RSAKey rsa = new RSAKeyGenerator(2048).keyID("rsa").generate();
        TokenVerifier verifier = new TokenVerifier(publicSet(signingKey, p384, rsa), ISSUER, AUDIENCE, GROUPS);

        assertEquals("alice", verifier.verify(sign(p384, JWSAlgorithm.ES384, claims())).subject());
        assertEquals("alice", verifier.verify(sign(rsa, JWSAlgorithm.RS256, claims())).subject());
        assertEquals("alice", verifier.verify(sign(rsa, JWSAlgorithm.PS256, claims())).subject());
        assertRejected(verifier, sign(rsa, JWSAlgorithm.RS512, claims()));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "garbage", "a.b.c", "a.b", "eyJhbGciOiJFUzI1NiJ9.e30.AAAA"})
    void rejectsSomethingThatIsNotAJwt(String token) {
        assertRejected(verifier(), token);
    }

    @Test
    void rejectsATokenWithoutASubject() {
        assertRejected(verifier(), es256(claims().subject(null)));
    }

    @Test
    void rejectsATokenWithoutAnExpiry() {
        assertRejected(verifier(), es256(claims().expirationTime(null)));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {" ", "{\"keys\":[]}"})
    void anEmptyKeySetRejectsEveryToken(String noKeys) {
        TokenVerifier verifier = new TokenVerifier(noKeys, ISSUER, AUDIENCE, GROUPS);

        assertRejected(verifier, es256(claims()));
    }

    @Test
    void rejectsAKeySetThatIsNotAJwkSet() {
        assertThrows(IllegalArgumentException.class, () -> new TokenVerifier("not json", ISSUER, AUDIENCE, GROUPS));
        assertThrows(IllegalArgumentException.class, () -> new TokenVerifier("{\"keys\":{}}", ISSUER, AUDIENCE, GROUPS));
    }

    @Test
    void usesOnlyThePublicPartOfAKeySetThatHoldsPrivateKeys() {
        TokenVerifier verifier = new TokenVerifier(new JWKSet(signingKey).toString(false), ISSUER, AUDIENCE, GROUPS);

        assertEquals("alice", verifier.verify(es256(claims())).subject());
    }

    @Test
    void aTokenPresentedAgainIsAnsweredFromMemory() {
        TokenVerifier verifier = verifier();
        String token = es256(claims());

        assertEquals("alice", verifier.verify(token).subject());
        assertEquals("alice", verifier.verify(token).subject());
        assertEquals(1, verifier.verifications());
    }

    @Test
    void handshakesPresentingOneTokenAtOnceShareOneVerification() throws Exception {
        TokenVerifier verifier = verifier();
        String token = es256(claims());
        int tabs = 8;
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService threads = Executors.newFixedThreadPool(tabs);
        try {
            List<Future<Caller>> callers = new ArrayList<>();
            for (int i = 0; i < tabs; i++) {
                callers.add(threads.submit(() -> {
                    start.await();
                    return verifier.verify(token);
                }));
            }
            start.countDown();
            for (Future<Caller> caller : callers) {
                assertEquals("alice", caller.get(10, TimeUnit.SECONDS).subject());
            }
        } finally {
            threads.shutdownNow();
        }
        assertEquals(1, verifier.verifications());
    }

    @Test
    void aTokenRememberedPastItsExpiryIsVerifiedAgain() {
        TokenVerifier verifier = verifier();
        // Expired 30 s ago: still accepted within the minute of clock skew, but never answered from memory.
        String token = es256(claims().expirationTime(Date.from(now().minusSeconds(30))));

        assertEquals("alice", verifier.verify(token).subject());
        assertEquals("alice", verifier.verify(token).subject());
        assertEquals(2, verifier.verifications());
    }

    @Test
    void aRejectedTokenIsNotRemembered() {
        TokenVerifier verifier = verifier();
        String token = es256(claims().issuer("https://elsewhere.example"));

        assertRejected(verifier, token);
        assertRejected(verifier, token);
        assertEquals(2, verifier.verifications());
    }
}
