package dev.tocsin.sessions.control;

import dev.tocsin.envelope.control.Base64Url;
import dev.tocsin.envelope.control.EnvelopeSigner;
import dev.tocsin.envelope.control.HmacSha256;
import dev.tocsin.envelope.entity.Envelope;
import dev.tocsin.envelope.entity.ErrorCode;
import dev.tocsin.envelope.entity.Inbound;
import dev.tocsin.envelope.entity.ProtocolException;

/**
 * Checks a client frame's signature, timestamp and id. Client frames are HMAC-SHA256 over their
 * canonical form: the handshake with the token as the key ({@code kid: "token"}), every later frame
 * with the session key from {@code welcome} ({@code kid: "session"}).
 */
public final class FrameAuthenticity {

    public static final String TOKEN_KID = "token";
    public static final String SESSION_KID = EnvelopeSigner.SESSION_KID;

    private final long windowMillis;

    public FrameAuthenticity(long windowMillis) {
        this.windowMillis = windowMillis;
    }

    public void check(Inbound inbound, String expectedKid, byte[] key, ReplayGuard replayGuard, long nowMillis) {
        Envelope envelope = inbound.envelope();
        if (envelope.s() == null) {
            throw new ProtocolException(ErrorCode.BAD_SIGNATURE, "s is required");
        }
        if (!expectedKid.equals(envelope.kid())) {
            throw new ProtocolException(ErrorCode.UNKNOWN_KEY, "this frame must be signed with kid '" + expectedKid + "'");
        }
        if (!HmacSha256.verify(key, inbound.signedBytes(), decode(envelope.s()))) {
            throw new ProtocolException(ErrorCode.BAD_SIGNATURE, "signature does not match");
        }
        if (Math.abs(envelope.ts() - nowMillis) > windowMillis) {
            throw new ProtocolException(ErrorCode.STALE_TIMESTAMP, "ts must be within " + windowMillis + " ms of the server's clock");
        }
        if (!replayGuard.firstUse(envelope.id(), nowMillis)) {
            throw new ProtocolException(ErrorCode.REPLAYED_ID, "id " + envelope.id() + " was already used");
        }
    }

    private static byte[] decode(String signature) {
        try {
            return Base64Url.decode(signature);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ErrorCode.BAD_SIGNATURE, "s is not base64url");
        }
    }
}
