package dev.tocsin.alerts.entity;

import java.util.regex.Pattern;

/**
 * Topic names: 1 to 8 dot-separated segments of lower-case letters, digits, '_' and '-',
 * each starting with a letter or digit and at most 64 characters long.
 */
public final class Topic {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,63}(\\.[a-z0-9][a-z0-9_-]{0,63}){0,7}");

    private Topic() {
    }

    public static boolean valid(String topic) {
        return topic != null && NAME.matcher(topic).matches();
    }
}
