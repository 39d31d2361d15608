package dev.tocsin.envelope.control;

import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import java.text.ParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.Ed25519PublicKeyParameters;

/**
 * The server's Ed25519 signing keys, from a JWK set. Every key in the set is published and
 * verifies; exactly one, the active one, signs. Rotation: add the new key, make it active,
 * and keep the old one (its private part may be dropped) until no client can still hold a
 * frame it signed.
 */
public final class ServerKeyRing {

    private final Map<String, Ed25519PublicKeyParameters> verifiers = new LinkedHashMap<>();
    private final String activeKid;
    private final Ed25519PrivateKeyParameters activeKey;
    private final String publicJwks;

    public ServerKeyRing(String jwksJson, String activeKid) {
        JWKSet set = parse(jwksJson);
        OctetKeyPair active = null;
        for (JWK jwk : set.getKeys()) {
            if (!(jwk instanceof OctetKeyPair okp) || !Curve.Ed25519.equals(okp.getCurve()) || okp.getKeyID() == null) {
                throw new IllegalArgumentException("signing keys must be Ed25519 OKP JWKs with a kid");
            }
            verifiers.put(okp.getKeyID(), Ed25519.publicKey(okp.getX().decode()));
            if (okp.getKeyID().equals(activeKid)) {
                active = okp;
            }
        }
        if (active == null || active.getD() == null) {
            throw new IllegalArgumentException("the active signing key '" + activeKid + "' is not in the set or has no private part");
        }
        this.activeKid = activeKid;
        this.activeKey = Ed25519.privateKey(active.getD().decode());
        byte[] probe = "tocsin key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        if (!verify(activeKid, probe, sign(probe))) {
            throw new IllegalArgumentException("the private part of signing key '" + activeKid + "' does not match its public part");
        }
        this.publicJwks = set.toPublicJWKSet().toString();
    }

    /** A fresh key that lives as long as the process: for a server started without configured keys. */
    public static ServerKeyRing ephemeral() {
        byte[][] pair = Ed25519.generate();
        OctetKeyPair key = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(pair[1]))
                .d(Base64URL.encode(pair[0])).keyID("ephemeral").build();
        return new ServerKeyRing(new JWKSet(List.of(key)).toString(false), "ephemeral");
    }

    private static JWKSet parse(String json) {
        try {
            return JWKSet.parse(json);
        } catch (ParseException e) {
            throw new IllegalArgumentException("the signing key set is not a JWK set: " + e.getMessage(), e);
        }
    }

    public String activeKid() {
        return activeKid;
    }

    public byte[] sign(byte[] message) {
        return Ed25519.sign(activeKey, message);
    }

    public boolean verify(String kid, byte[] message, byte[] signature) {
        return Optional.ofNullable(verifiers.get(kid)).map(key -> Ed25519.verify(key, message, signature)).orElse(false);
    }

    /** The JWK set without private parts, as served at /api/keys. */
    public String publicJwks() {
        return publicJwks;
    }
}
