package dev.tocsin.security.control;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * DEMO ONLY: mints ES256 tokens with a key that ships in deploy/demo.properties, so that the
 * embedded default can be tried without an identity provider. Production turns it off
 * ({@code tocsin.demo.enabled=false}) and trusts its real issuer's keys instead.
 */
public final class DemoIssuer {

    private final ECKey key;
    private final String issuer;
    private final String audience;
    private final String groupsClaim;

    public DemoIssuer(String privateJwk, String issuer, String audience, String groupsClaim) {
        try {
            if (!(JWK.parse(privateJwk) instanceof ECKey ec) || !ec.isPrivate()) {
                throw new IllegalArgumentException("the demo issuer key is not an EC private JWK");
            }
            this.key = ec;
        } catch (ParseException e) {
            throw new IllegalArgumentException("the demo issuer key is not an EC JWK: " + e.getMessage(), e);
        }
        this.issuer = issuer;
        this.audience = audience;
        this.groupsClaim = groupsClaim;
    }

    public String mint(String subject, Collection<String> groups, Duration lifetime) {
        Instant now = Instant.now();
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .subject(subject)
                .issuer(issuer)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(now.plus(lifetime)))
                .jwtID(UUID.randomUUID().toString())
                .claim(groupsClaim, List.copyOf(groups));
        if (audience != null && !audience.isBlank()) {
            claims.audience(audience);
        }
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID()).build(), claims.build());
        try {
            jwt.sign(new ECDSASigner(key));
        } catch (JOSEException e) {
            throw new IllegalStateException("demo token signing failed", e);
        }
        return jwt.serialize();
    }
}
