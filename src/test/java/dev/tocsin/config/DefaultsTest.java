package dev.tocsin.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.tocsin.envelope.boundary.EnvelopeDecoder;
import dev.tocsin.sessions.boundary.OriginPolicy;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A default is written twice: in the code that reads the key ({@link Settings}' annotations, the
 * constants of the two keys read elsewhere) and in the operators' table in docs/operations.md.
 * They must agree.
 */
class DefaultsTest {

    private static final Pattern DOCUMENTED = Pattern.compile("^\\| `(tocsin\\.[^`]+)` \\| `([^`]*)` \\|", Pattern.MULTILINE);

    /** Every key Settings reads with a default, and that default. */
    private static Map<String, String> declared() {
        Map<String, String> defaults = new LinkedHashMap<>();
        for (Field field : Settings.class.getDeclaredFields()) {
            ConfigProperty property = field.getAnnotation(ConfigProperty.class);
            if (property != null && !ConfigProperty.UNCONFIGURED_VALUE.equals(property.defaultValue())) {
                defaults.put(property.name(), property.defaultValue());
            }
        }
        return defaults;
    }

    @Test
    void theOperatorsTableStatesSettingsOwnDefaults() throws IOException {
        Map<String, String> documented = new LinkedHashMap<>();
        Matcher row = DOCUMENTED.matcher(Files.readString(Path.of("docs/operations.md")));
        while (row.find()) {
            documented.put(row.group(1), row.group(2));
        }
        Map<String, String> declared = declared();
        assertFalse(declared.isEmpty());
        declared.forEach((key, value) -> {
            if (!value.isEmpty()) { // an empty default is described in words, not quoted
                assertEquals(value, documented.get(key), key);
            }
        });
        assertEquals(String.valueOf(EnvelopeDecoder.DEFAULT_MAX_FRAME_BYTES), documented.get(EnvelopeDecoder.MAX_FRAME_BYTES));
        assertEquals(OriginPolicy.DEFAULT_ALLOWED, documented.get(OriginPolicy.ALLOWED));
    }
}
