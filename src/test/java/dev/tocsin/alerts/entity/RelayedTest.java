package dev.tocsin.alerts.entity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class RelayedTest {

    static final String LOG = "5f0c1a2e-0000-4000-8000-000000000001";

    @Test
    void aFrameTravelsUnchangedLineBreaksAndAllWhereverTheyAre() {
        Relayed alert = Relayed.alert("alerts.db", 42, "{\"v\":1,\"d\":{\"title\":\"a\\nb\"}}\nnot json but kept");
        assertEquals(Optional.of(alert), Relayed.decode(alert.encode(LOG), LOG));
        Relayed event = Relayed.event("alerts.db", "{\"type\":\"acknowledged\"}");
        assertEquals(Optional.of(event), Relayed.decode(event.encode(LOG), LOG));
        assertEquals(0, Relayed.decode(event.encode(LOG), LOG).orElseThrow().offset());
    }

    @Test
    void aFrameOfAnotherLogIsNotTaken() {
        Relayed alert = Relayed.alert("alerts.db", 42, "{}");
        assertEquals(Optional.empty(), Relayed.decode(alert.encode("5f0c1a2e-0000-4000-8000-000000000002"), LOG));
    }

    @Test
    void anythingElseIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Relayed.decode(LOG + "\nALERT\nalerts.db\n42", LOG));
        assertThrows(IllegalArgumentException.class, () -> Relayed.decode(LOG + "\nALERT\nno topic!\n42\n{}", LOG));
        assertThrows(IllegalArgumentException.class, () -> Relayed.decode(LOG + "\nSOMETHING\nalerts.db\n42\n{}", LOG));
        assertThrows(IllegalArgumentException.class, () -> Relayed.decode(LOG + "\nALERT\nalerts.db\nforty-two\n{}", LOG));
    }
}
