package dev.tocsin.security.control;

import dev.tocsin.security.entity.Caller;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Verified tokens, so that a client reconnecting (or opening another tab) with its token is not
 * verified again. A token being verified is in the memory too: the handshakes that present it
 * meanwhile (every tab of a user reconnecting at once after a restart) wait for that one
 * verification instead of each doing its own, and get its failure, whatever it is. Only tokens
 * that verified are remembered, and only until they expire.
 */
final class TokenMemory {

    private final int max;
    private final Map<String, CompletableFuture<Caller>> verified = new ConcurrentHashMap<>();

    /** @param max tokens remembered at most; beyond it the memory starts again empty */
    TokenMemory(int max) {
        this.max = max;
    }

    Caller verified(String token, Function<String, Caller> verify) {
        while (true) {
            CompletableFuture<Caller> known = verified.get(token);
            if (known == null) {
                CompletableFuture<Caller> mine = new CompletableFuture<>();
                known = verified.putIfAbsent(token, mine);
                if (known == null) {
                    return verifyInto(token, mine, verify);
                }
            }
            Caller caller = join(known);
            if (!caller.expired(Instant.now())) {
                return caller;
            }
            verified.remove(token, known); // expired since: verify again, which says why it fails
        }
    }

    private Caller verifyInto(String token, CompletableFuture<Caller> result, Function<String, Caller> verify) {
        try {
            Caller caller = verify.apply(token);
            if (verified.size() > max) {
                verified.clear();
            }
            result.complete(caller);
            return caller;
        } catch (RuntimeException | Error e) {
            // not remembered; and those waiting for this verification must never wait forever
            verified.remove(token, result);
            result.completeExceptionally(e);
            throw e;
        }
    }

    /** The verification's result, or its own failure rethrown unwrapped. */
    private static Caller join(CompletableFuture<Caller> verification) {
        try {
            return verification.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }
}
