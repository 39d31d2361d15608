package dev.tocsin.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Helpers for configuration values that may be given inline or as a file reference. */
public final class ConfigValues {

    static final String FILE_PREFIX = "file:";

    private ConfigValues() {
    }

    /** A value of the form {@code file:/path} is replaced by that file's content; anything else is returned as it is. */
    public static String inlineOrFile(String value) {
        if (value == null || !value.startsWith(FILE_PREFIX)) {
            return value;
        }
        try {
            return Files.readString(Path.of(value.substring(FILE_PREFIX.length())));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read configured file " + value, e);
        }
    }
}
