package dev.tocsin.security.entity;

import java.util.Locale;

/** What a caller may do on a topic. */
public enum Action {
    SUBSCRIBE, PUBLISH;

    public static Action parse(String word) {
        return valueOf(word.strip().toUpperCase(Locale.ROOT));
    }
}
