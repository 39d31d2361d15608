package dev.tocsin.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SettingsTest {

    @Test
    void passesAheadBelowOneCountAsOne() {
        Settings settings = new Settings();
        settings.broadcastPassesAhead = 0;
        assertEquals(1, settings.broadcastPassesAhead());
        settings.broadcastPassesAhead = -5;
        assertEquals(1, settings.broadcastPassesAhead());
        settings.broadcastPassesAhead = 3;
        assertEquals(3, settings.broadcastPassesAhead());
    }

    @Test
    void aLingerCountsBetweenNoneAndAMinute() {
        Settings settings = new Settings();
        settings.broadcastLingerMs = -10;
        assertEquals(Duration.ZERO, settings.broadcastLinger());
        settings.broadcastLingerMs = Long.MAX_VALUE;
        assertEquals(Duration.ofMinutes(1), settings.broadcastLinger());
        settings.broadcastLingerMs = 20;
        assertEquals(Duration.ofMillis(20), settings.broadcastLinger());
    }
}
