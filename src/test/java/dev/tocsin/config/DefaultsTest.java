package dev.tocsin.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A default is written in three places: {@link Settings}' annotations, the shipped
 * microprofile-config.properties, and the operators' table in docs/operations.md. They must agree.
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
    void theShippedPropertiesGiveSettingsOwnDefaults() throws IOException {
        Properties shipped = new Properties();
        try (InputStream in = Settings.class.getResourceAsStream("/META-INF/microprofile-config.properties")) {
            shipped.load(in);
        }
        Map<String, String> declared = declared();
        assertFalse(declared.isEmpty());
        declared.forEach((key, value) -> {
            if (shipped.containsKey(key)) {
                assertEquals(value, shipped.getProperty(key), key);
            }
        });
    }

    @Test
    void theOperatorsTableStatesSettingsOwnDefaults() throws IOException {
        Map<String, String> documented = new LinkedHashMap<>();
        Matcher row = DOCUMENTED.matcher(Files.readString(Path.of("docs/operations.md")));
        while (row.find()) {
            documented.put(row.group(1), row.group(2));
        }
        declared().forEach((key, value) -> {
            if (!value.isEmpty()) { // an empty default is described in words, not quoted
                assertEquals(value, documented.get(key), key);
            }
        });
    }
}
