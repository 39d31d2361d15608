package dev.tocsin.alerts.entity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class RelayedTest {

    @Test
    void aFrameTravelsUnchangedLineBreaksAndAllWhereverTheyAre() {
        Relayed alert = Relayed.alert("alerts.db", 42, "{\"v\":1,\"d\":{\"title\":\"a\\nb\"}}\nnot json but kept");
        assertEquals(alert, Relayed.decode(alert.encode()));
        Relayed event = Relayed.event("alerts.db", "{\"type\":\"acknowledged\"}");
        assertEquals(event, Relayed.decode(event.encode()));
        assertEquals(0, Relayed.decode(event.encode()).offset());
    }

    @Test
    void anythingElseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Relayed.decode("ALERT\nalerts.db\n42"));
        assertThrows(IllegalArgumentException.class, () -> Relayed.decode("ALERT\nno topic!\n42\n{}"));
        assertThrows(IllegalArgumentException.class, () -> Relayed.decode("SOMETHING\nalerts.db\n42\n{}"));
        assertThrows(IllegalArgumentException.class, () -> Relayed.decode("ALERT\nalerts.db\nforty-two\n{}"));
    }
}
