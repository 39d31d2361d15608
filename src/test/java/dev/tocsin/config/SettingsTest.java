package dev.tocsin.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

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
}
